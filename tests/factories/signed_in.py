"""The people who use the signed-in portal most, each with `n` of what their pages list (for query budgets and the
render benchmark): an applicant who owns an organisation with n applications, n awards and n reports due; a donor
with n gifts; a reviewer with n assignments (the first declared free of conflict)."""

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from applicants.models import Membership
from grants.review.models import Assignment, PanelMember
from grants.review.services import conflict_declare
from portal import roles

from .awards import ApprovedApplicationFactory, fund_with_money, make_award
from .donations import DonationFactory, DonorFactory
from .grants import ApplicationFactory
from .grants_extra import draft_for, round_with_form
from .impact import make_report
from .portal import UserFactory
from .review import CriterionFactory, PanelFactory, PanelMemberFactory, RubricFactory


@dataclass
class SignedInScenario:
    applicant: object
    application: object
    organisation: object
    donor_user: object
    reviewer: object
    assignment: object

    def pages(self):
        """{name: (user, path)} for the pages these people use most."""
        application, org = self.application.pk, self.organisation.slug
        return {
            "applicant dashboard": (self.applicant, "/dashboard/"),
            "application": (self.applicant, f"/applications/{application}/"),
            "application edit": (self.applicant, f"/applications/{application}/step/1/"),
            "organisation": (self.applicant, f"/organisations/{org}/"),
            "awards list": (self.applicant, "/awards/"),
            "reports list": (self.applicant, "/impact-reports/"),
            "preferences": (self.applicant, "/dashboard/preferences/"),
            "donor dashboard": (self.donor_user, "/dashboard/"),
            "donor portal": (self.donor_user, "/donor/"),
            "reviewer dashboard": (self.reviewer, "/dashboard/"),
            "reviewer list": (self.reviewer, "/reviews/"),
            "scoring page": (self.reviewer, f"/reviews/{self.assignment.pk}/"),
        }


def _person(*role_names, mfa=False):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for role in role_names:
        user.groups.add(Group.objects.get(name=role))
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def signed_in_scenario(n) -> SignedInScenario:
    funding_round = round_with_form()
    application, applicant = draft_for(funding_round)
    organisation = application.organisation
    Membership.objects.filter(user=applicant).update(role=Membership.Role.OWNER)
    for i in range(n - 1):
        ApplicationFactory(round=funding_round, organisation=organisation, status="submitted", title=f"Project {i}")
    fund_with_money(funding_round.fund, "1000000.00")
    for _ in range(n):
        award = make_award(application=ApprovedApplicationFactory(round=funding_round, organisation=organisation))
        make_report(award, 1, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), status="due")
    donor_user = _person()
    donor = DonorFactory(user=donor_user, email=donor_user.email)
    for _ in range(n):
        DonationFactory(donor=donor, fund=funding_round.fund)
    reviewer = _person(roles.REVIEWER, mfa=True)
    funding_round.status = "review"
    funding_round.save()
    PanelFactory(round=funding_round, name="Panel")
    CriterionFactory(rubric=RubricFactory(round=funding_round), title="Impact", order=1)
    member = PanelMemberFactory(panel=funding_round.panel, user=reviewer, kind=PanelMember.Kind.COMMUNITY)
    assignments = [
        Assignment.objects.create(
            application=ApplicationFactory(round=funding_round, status="in_review", title=f"Review {i}"), member=member
        )
        for i in range(n)
    ]
    conflict_declare(assignment=assignments[0], has_conflict=False, by=reviewer)
    return SignedInScenario(applicant, application, organisation, donor_user, reviewer, assignments[0])
