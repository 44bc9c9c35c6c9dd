"""Every member of the applicant organisation sees the decision on the application page (outcome, the letter as a PDF,
approved reviewer feedback for a decline, what happens next); decision emails go to each member who opted in; staff
hear when an applicant resubmits after a request for more information."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from applicants.models import Membership
from grants.review.decisions import decision_make
from grants.review.models import Assignment
from grants.review.services import conflict_declare, review_feedback_approve, review_save
from portal import roles
from tests.factories.applicants import MembershipFactory
from tests.factories.awards import fund_with_money
from tests.factories.grants import ApplicationFactory
from tests.factories.review import CriterionFactory, PanelFactory, PanelMemberFactory, RubricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decider(mfa_user_factory):
    return mfa_user_factory(roles.PROGRAM_STAFF)


@pytest.fixture
def application(db):
    app = ApplicationFactory(status="in_review", requested_amount=Decimal("9000.00"), title="Evening drop-in")
    fund_with_money(app.round.fund, "50000.00")
    PanelFactory(round=app.round)
    CriterionFactory(rubric=RubricFactory(round=app.round), title="Impact")
    return app


@pytest.fixture
def members(application):
    owner = MembershipFactory(organisation=application.organisation, user__email="owner@drop.example").user
    colleague = MembershipFactory(
        organisation=application.organisation, user__email="sam@drop.example", role=Membership.Role.MEMBER
    ).user
    return owner, colleague


def _feedback(application, text, *, approve, staff):
    member = PanelMemberFactory(panel=application.round.panel, user__last_name="Quillfeather")
    assignment = Assignment.objects.create(application=application, member=member)
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    review = review_save(
        assignment=assignment,
        by=member.user,
        recommendation="do_not_fund",
        submit=True,
        scores={c.pk: {"score": 2} for c in application.round.rubric.criteria.all()},
        feedback_to_applicant=text,
    )
    if approve:
        review_feedback_approve(review=review, by=staff)


def test_every_member_sees_a_decline_with_its_letter_and_the_approved_feedback(client, application, members, decider):
    _feedback(application, "Strong peer model; the budget needs detail.", approve=True, staff=decider)
    _feedback(application, "Not for the applicant.", approve=False, staff=decider)
    decision_make(
        application=application, outcome="decline", include_feedback=True, message="Please apply again.", by=decider
    )
    for user in members:
        client.force_login(user)
        page = client.get(reverse("grants:application_detail", args=[application.pk])).content.decode()
        assert "Not funded this time" in page and "Please apply again." in page
        assert "Strong peer model; the budget needs detail." in page
        assert "Not for the applicant." not in page and "Quillfeather" not in page
        assert "You are welcome to apply to future rounds" in page
        letter = client.get(reverse("decisions:letter", args=[application.pk]))
        assert letter["Content-Type"] == "application/pdf"
        assert letter["Content-Disposition"].startswith("attachment;")
        assert letter["X-Content-Type-Options"] == "nosniff"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
        assert "Strong peer model" in text and "Quillfeather" not in text


def test_an_approval_says_the_offer_is_being_prepared_then_links_to_it(client, application, members, decider):
    from grants.awards.models import Award
    from grants.awards.offers import award_send_offer

    decision_make(application=application, outcome="approve", amount=Decimal("9000.00"), by=decider)
    client.force_login(members[1])
    url = reverse("grants:application_detail", args=[application.pk])
    page = client.get(url).content.decode()
    assert "Approved: a grant of $9,000.00" in page and "We are preparing your grant offer" in page

    award = award_send_offer(award=Award.objects.get(application=application), by=decider)
    page = client.get(url).content.decode()
    assert reverse("awards:award_detail", args=[award.pk]) in page


def test_outsiders_and_undecided_applications_have_no_letter(client, application, members, decider):
    client.force_login(members[0])
    assert client.get(reverse("decisions:letter", args=[application.pk])).status_code == 404  # not decided yet
    decision_make(application=application, outcome="waitlist", by=decider)
    stranger = MembershipFactory().user
    client.force_login(stranger)
    assert client.get(reverse("decisions:letter", args=[application.pk])).status_code == 404
    assert client.get(reverse("grants:application_detail", args=[application.pk])).status_code == 404


def test_decision_emails_go_to_every_member_who_opted_in(
    client, application, members, decider, django_capture_on_commit_callbacks
):
    owner, colleague = members
    client.force_login(colleague)
    client.post(
        reverse("applicants:membership_preferences", args=[application.organisation.slug]), {"decision_emails": ""}
    )
    assert Membership.objects.get(user=colleague).decision_emails is False

    with django_capture_on_commit_callbacks(execute=True):
        decision_make(application=application, outcome="waitlist", by=decider)

    (email,) = mail.outbox
    assert email.to == [owner.email]
    assert settings.SITE_URL.rstrip("/") + reverse("grants:application_detail", args=[application.pk]) in email.body


def test_staff_hear_when_an_applicant_resubmits_after_a_question(client, decider, django_capture_on_commit_callbacks):
    from grants import services
    from tests.factories.grants_extra import complete, draft_for, round_with_form

    application, applicant = draft_for(round_with_form())
    complete(application)
    services.application_submit(application=application, by=applicant)
    services.application_request_more_info(application=application, by=decider, reason="Explain the budget.")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=applicant)

    to_staff = next(m for m in mail.outbox if "Resubmitted" in m.subject)
    assert set(to_staff.to) == {settings.STAFF_NOTIFICATION_EMAIL, decider.email}
    assert reverse("grants_admin:application_detail", args=[application.pk]) in to_staff.body
