"""Staff remove a panel member through a confirmation page: their unsubmitted assignments are released and refilled by
the assignment rules, their submitted reviews stay and still count, the removal is audited and the member emailed."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from grants.review.models import ApplicationScore, Assignment, PanelMember, Review
from grants.review.panels import panel_member_invite, panel_member_remove
from grants.review.services import assignments_auto, conflict_declare, review_save
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db

K = PanelMember.Kind


@pytest.fixture
def panel_at_work(review_round, staff_user):
    """Six members (two of each kind), four applications with three reviewers each. The leaving member is a community
    reviewer with one review submitted and the rest still to do."""
    panel = review_round.panel
    members = [PanelMemberFactory(panel=panel, kind=kind) for kind in (K.COMMUNITY, K.STAFF, K.EXTERNAL) * 2]
    applications = [ApplicationFactory(round=review_round, status="in_review") for _ in range(4)]
    assignments_auto(round=review_round, by=staff_user)
    leaving = members[0]
    theirs = list(Assignment.objects.filter(member=leaving).order_by("pk"))
    assert len(theirs) >= 2
    done = theirs[0]
    conflict_declare(assignment=done, has_conflict=False, by=leaving.user)
    review_save(
        assignment=done,
        by=leaving.user,
        submit=True,
        recommendation="fund",
        scores={c.pk: {"score": 4} for c in review_round.rubric.criteria.all()},
    )
    # A draft on another one, to be discarded.
    conflict_declare(assignment=theirs[1], has_conflict=False, by=leaving.user)
    review_save(assignment=theirs[1], by=leaving.user, scores={})
    return {"members": members, "applications": applications, "leaving": leaving, "done": done, "open": theirs[1:]}


def test_confirmation_page_restates_what_will_happen_and_changes_nothing(client, login, staff_user, panel_at_work):
    leaving = panel_at_work["leaving"]
    login(staff_user)

    page = client.get(reverse("review_admin:member_remove", args=[leaving.pk])).content.decode()

    for assignment in panel_at_work["open"]:
        assert assignment.application.reference in page
    assert "1 submitted review stays and still counts" in page
    assert "draft review will be discarded" in page
    leaving.refresh_from_db()
    assert leaving.removed_at is None
    assert Assignment.objects.filter(member=leaving, status=Assignment.Status.ASSIGNED).count() == len(
        panel_at_work["open"]
    )


def test_removing_a_member_releases_and_refills_their_open_work_and_keeps_their_submitted_review(
    client, login, staff_user, panel_at_work, review_round, django_capture_on_commit_callbacks
):
    leaving, done = panel_at_work["leaving"], panel_at_work["done"]
    released = [a.application for a in panel_at_work["open"]]
    score_before = ApplicationScore.objects.get(application=done.application)
    login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("review_admin:member_remove", args=[leaving.pk]))

    assert response.status_code == 302
    leaving.refresh_from_db()
    assert leaving.removed_at is not None and leaving.removed_by == staff_user
    assert not Assignment.objects.filter(member=leaving, status=Assignment.Status.ASSIGNED).exists()
    assert not Review.objects.filter(member=leaving, status=Review.Status.DRAFT).exists()
    # Submitted work stays and still counts.
    assert Review.objects.get(assignment=done).status == Review.Status.SUBMITTED
    assert ApplicationScore.objects.get(application=done.application).submitted_reviews == (
        score_before.submitted_reviews
    )
    # Every released application has its three reviewers again, with a community reviewer, from the others.
    for application in released:
        active = Assignment.objects.filter(application=application).exclude(status=Assignment.Status.RECUSED)
        assert active.count() == 3
        assert leaving.pk not in set(active.values_list("member_id", flat=True))
        assert active.filter(member__kind=K.COMMUNITY).exists()
    assert ModelLogEntry.objects.filter(action="review.panel.member_remove").count() == 1
    to_leaving = [m for m in mail.outbox if m.to == [leaving.user.email]]
    assert len(to_leaving) == 1
    assert "still counts" in to_leaving[0].body
    for application in released:
        assert application.reference in to_leaving[0].body


def test_refill_never_gives_the_work_to_a_conflicted_member(review_round, staff_user):
    panel = review_round.panel
    org = OrganisationFactory()
    application = ApplicationFactory(round=review_round, organisation=org, status="in_review")
    first = [PanelMemberFactory(panel=panel, kind=kind) for kind in (K.COMMUNITY, K.STAFF, K.EXTERNAL)]
    assignments_auto(round=review_round, by=staff_user)
    insider = PanelMemberFactory(panel=panel, kind=K.COMMUNITY)
    MembershipFactory(user=insider.user, organisation=org)
    outsider = PanelMemberFactory(panel=panel, kind=K.COMMUNITY)

    panel_member_remove(member=first[0], by=staff_user)

    active = set(
        Assignment.objects.filter(application=application)
        .exclude(status=Assignment.Status.RECUSED)
        .values_list("member_id", flat=True)
    )
    assert active == {first[1].pk, first[2].pk, outsider.pk}


def test_a_removed_member_gets_no_work_and_opens_nothing(client, login, staff_user, panel_at_work, review_round):
    leaving = panel_at_work["leaving"]
    panel_member_remove(member=leaving, by=staff_user)
    ApplicationFactory(round=review_round, status="in_review")

    assignments_auto(round=review_round, by=staff_user)

    assert not Assignment.objects.filter(member=leaving, status=Assignment.Status.ASSIGNED).exists()
    TOTP.activate(leaving.user, generate_totp_secret())  # reviewers must use MFA to reach the portal at all
    login(leaving.user)
    assert client.get(reverse("review:score", args=[panel_at_work["done"].pk])).status_code == 404
    assert panel_at_work["done"].application.reference not in client.get(reverse("review:my_reviews")).content.decode()


def test_inviting_a_removed_member_again_puts_them_back_with_their_reviews(staff_user, panel_at_work, review_round):
    leaving = panel_at_work["leaving"]
    panel_member_remove(member=leaving, by=staff_user)

    again = panel_member_invite(panel=review_round.panel, email=leaving.user.email, kind=K.COMMUNITY, by=staff_user)

    assert again.pk == leaving.pk and again.removed_at is None
    assert Review.objects.get(assignment=panel_at_work["done"]).member_id == again.pk
