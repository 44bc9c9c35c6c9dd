"""Automatic conflicts: a panel member who belongs to an applicant organisation, or whose email is on its email domain,
is never assigned to it automatically, is refused by hand with the reason, and appears in the conflict register.
Free-mail domains never make a conflict."""

import pytest
from django.urls import reverse

from grants.review.conflicts import FREE_MAIL_DOMAINS, organisation_domain
from grants.review.models import Assignment, ConflictDeclaration, PanelMember
from grants.review.services import ReviewError, assignment_create, assignments_auto, conflict_declare
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.grants import ApplicationFactory
from tests.factories.portal import UserFactory
from tests.factories.review import PanelMemberFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def _member(panel, email, kind=PanelMember.Kind.COMMUNITY):
    return PanelMemberFactory(panel=panel, kind=kind, user=ReviewerFactory(email=email))


@pytest.fixture
def org(db):
    return OrganisationFactory(legal_name="Northside Peer Collective", email="hello@northside-peer.org")


@pytest.fixture
def application(review_round, org):
    return ApplicationFactory(round=review_round, organisation=org, status="in_review")


def _assigned(application):
    return set(
        Assignment.objects.filter(application=application)
        .exclude(status=Assignment.Status.RECUSED)
        .values_list("member_id", flat=True)
    )


def test_auto_assignment_never_picks_a_member_of_the_organisation(review_round, application, org, staff_user):
    insider = _member(review_round.panel, "rosa@example.net")
    MembershipFactory(user=insider.user, organisation=org)
    others = [_member(review_round.panel, f"r{i}@example.net") for i in range(3)]

    assignments_auto(round=review_round, by=staff_user)

    assert _assigned(application) == {m.pk for m in others}


def test_auto_assignment_never_picks_someone_on_the_organisations_email_domain(review_round, application, staff_user):
    colleague = _member(review_round.panel, "sam@northside-peer.org")
    on_subdomain = _member(review_round.panel, "kim@mail.northside-peer.org")
    others = [_member(review_round.panel, f"r{i}@example.net") for i in range(3)]

    assignments_auto(round=review_round, by=staff_user)

    assigned = _assigned(application)
    assert colleague.pk not in assigned and on_subdomain.pk not in assigned
    assert assigned == {m.pk for m in others}


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me"])
def test_free_mail_domains_never_make_a_conflict(review_round, staff_user, domain):
    org = OrganisationFactory(email=f"northside.group@{domain}")
    application = ApplicationFactory(round=review_round, organisation=org, status="in_review")
    same_free_mail = [_member(review_round.panel, f"reviewer{i}@{domain}") for i in range(3)]

    assignments_auto(round=review_round, by=staff_user)

    assert _assigned(application) == {m.pk for m in same_free_mail}
    assert domain in FREE_MAIL_DOMAINS and organisation_domain(org.email) == ""


def test_manual_assignment_of_a_member_of_the_organisation_is_refused_with_the_reason(
    review_round, application, org, staff_user
):
    insider = _member(review_round.panel, "rosa@example.net")
    MembershipFactory(user=insider.user, organisation=org)

    with pytest.raises(ReviewError, match="Member of the organisation"):
        assignment_create(application=application, member=insider, by=staff_user)
    assert not Assignment.objects.filter(member=insider).exists()


def test_manual_assignment_on_the_email_domain_is_refused_through_the_screen(
    client, login, review_round, application, staff_user
):
    colleague = _member(review_round.panel, "sam@northside-peer.org")
    login(staff_user)

    response = client.post(
        reverse("review_admin:assignments", args=[review_round.pk]),
        {"application": application.pk, "member": colleague.pk},
    )

    assert response.status_code == 200
    assert "email domain (northside-peer.org)" in response.content.decode()
    assert not Assignment.objects.filter(member=colleague).exists()


def test_a_reviewer_our_records_show_as_conflicted_is_recused_even_if_they_answer_no(
    review_round, application, org, staff_user
):
    insider = _member(review_round.panel, "rosa@example.net")
    # Assigned before they joined the organisation; now they are a member of it.
    assignment = Assignment.objects.create(application=application, member=insider)
    MembershipFactory(user=insider.user, organisation=org)

    declaration = conflict_declare(assignment=assignment, has_conflict=False, by=insider.user)

    assignment.refresh_from_db()
    assert declaration.has_conflict and "Member of the organisation" in declaration.reason
    assert assignment.status == Assignment.Status.RECUSED


def test_conflict_register_lists_automatic_conflicts(client, login, review_round, application, org, staff_user):
    insider = _member(review_round.panel, "rosa@example.net")
    MembershipFactory(user=insider.user, organisation=org)
    _member(review_round.panel, "sam@northside-peer.org")
    _member(review_round.panel, "free@gmail.com")
    OrganisationFactory(email="team@gmail.com")
    login(staff_user)

    page = client.get(reverse("review_admin:conflicts") + f"?round={review_round.pk}").content.decode()
    csv_text = client.get(reverse("review_admin:conflicts") + "?export=csv").content.decode()

    assert "Member of the organisation" in page
    assert "Shares the organisation&#x27;s email domain (northside-peer.org)" in page
    assert "free@gmail.com" not in csv_text
    assert "rosa@example.net" in csv_text and "sam@northside-peer.org" in csv_text
    assert not ConflictDeclaration.objects.exists()  # computed from the records, not stored


def test_conflict_register_query_count_does_not_grow_with_members(
    client, login, review_round, staff_user, django_assert_max_num_queries
):
    login(staff_user)
    url = reverse("review_admin:conflicts")
    client.get(url)
    for i in range(12):
        org = OrganisationFactory(email=f"hello@group{i}.org")
        ApplicationFactory(round=review_round, organisation=org, status="in_review")
        member = _member(review_round.panel, f"person{i}@group{i}.org")
        MembershipFactory(user=UserFactory(), organisation=org)
        MembershipFactory(user=member.user, organisation=org)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.content.decode().count("email domain (group") == 0  # members: the stronger reason wins
    assert response.content.decode().count("Member of the organisation") == 12
