"""Automatic assignment and unassigning ask for confirmation on a page that restates what will happen (no JavaScript):
the GET changes nothing, the POST does it."""

import pytest
from django.urls import reverse

from grants.review.models import Assignment, PanelMember, Review
from grants.review.services import conflict_declare, review_save
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db

K = PanelMember.Kind


@pytest.fixture
def panel_of_three(review_round):
    return [PanelMemberFactory(panel=review_round.panel, kind=kind) for kind in (K.COMMUNITY, K.STAFF, K.EXTERNAL)]


def test_auto_assign_confirmation_lists_the_assignments_and_makes_none(
    client, login, staff_user, review_round, panel_of_three
):
    applications = [ApplicationFactory(round=review_round, status="in_review") for _ in range(2)]
    login(staff_user)

    assignments_page = client.get(reverse("review_admin:assignments", args=[review_round.pk])).content.decode()
    page = client.get(reverse("review_admin:assignments_auto", args=[review_round.pk])).content.decode()

    assert reverse("review_admin:assignments_auto", args=[review_round.pk]) in assignments_page
    assert "This will make 6 assignments, shared between 3 reviewers" in page
    for application in applications:
        assert application.reference in page
    for member in panel_of_three:
        assert member.user.display_name in page
    assert "<form" in page and "Confirm: make these assignments" in page
    assert not Assignment.objects.exists()


def test_confirming_auto_assign_makes_the_assignments(client, login, staff_user, review_round, panel_of_three):
    ApplicationFactory(round=review_round, status="in_review")
    login(staff_user)

    response = client.post(reverse("review_admin:assignments_auto", args=[review_round.pk]))

    assert response.status_code == 302
    assert Assignment.objects.count() == 3


def test_nothing_to_assign_says_so(client, login, staff_user, review_round, panel_of_three):
    login(staff_user)

    page = client.get(reverse("review_admin:assignments_auto", args=[review_round.pk])).content.decode()

    assert "Nothing to do" in page and "Confirm" not in page


def test_unassign_confirmation_restates_what_happens_and_changes_nothing(
    client, login, staff_user, review_round, panel_of_three
):
    member = panel_of_three[0]
    assignment = Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review"), member=member
    )
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    review_save(assignment=assignment, by=member.user, scores={})
    login(staff_user)

    page = client.get(reverse("review_admin:assignment_remove", args=[assignment.pk])).content.decode()

    assert f"{member.user.display_name} will no longer review {assignment.application.reference}" in page
    assert "draft review will be discarded" in page and "emailed" in page
    assert Assignment.objects.filter(pk=assignment.pk).exists()

    response = client.post(reverse("review_admin:assignment_remove", args=[assignment.pk]))

    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert not Review.objects.exists()


def test_a_submitted_review_offers_no_unassign(client, login, staff_user, review_round, panel_of_three):
    member = panel_of_three[0]
    assignment = Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review"), member=member
    )
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    review_save(
        assignment=assignment,
        by=member.user,
        submit=True,
        recommendation="fund",
        scores={c.pk: {"score": 3} for c in review_round.rubric.criteria.all()},
    )
    login(staff_user)

    page = client.get(reverse("review_admin:assignment_remove", args=[assignment.pk])).content.decode()
    client.post(reverse("review_admin:assignment_remove", args=[assignment.pk]))

    assert "cannot be unassigned" in page and "Confirm" not in page
    assert Assignment.objects.filter(pk=assignment.pk).exists()
