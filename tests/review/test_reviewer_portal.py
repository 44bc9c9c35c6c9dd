"""The reviewer portal: declare first, then score; drafts, submission, locking; and who can open what (404s)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.review.models import Assignment, ConflictDeclaration, PanelMember, Review
from grants.review.services import conflict_declare, review_save
from portal import roles
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(mfa_user_factory):
    return mfa_user_factory(roles.REVIEWER)


@pytest.fixture
def assignment(review_round, reviewer):
    member = PanelMemberFactory(panel=review_round.panel, user=reviewer, kind=PanelMember.Kind.COMMUNITY)
    application = ApplicationFactory(
        round=review_round,
        status="in_review",
        title="Peer naloxone outreach",
        summary="Kits and training at the drop-in.",
        form_snapshot={
            "questions": [
                {"key": "q1", "kind": "long_text", "label": "What will you do?"},
                {"key": "q2", "kind": "short_text", "label": "Who runs it?", "identifying": True},
            ]
        },
        answers={"q1": "Hand out 2,000 kits.", "q2": "Rosa Delgado"},
    )
    return Assignment.objects.create(application=application, member=member)


def _criteria(review_round):
    return list(review_round.rubric.criteria.all())


def _post_scores(review_round, values, **extra):
    data = {}
    for criterion, value in zip(_criteria(review_round), values):
        data[f"score_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = f"About {criterion.title}"
    data.update(extra)
    return data


def test_reviewer_must_declare_before_seeing_the_application(client, login, reviewer, assignment):
    login(reviewer)
    response = client.get(reverse("review:score", args=[assignment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("review:declare", args=[assignment.pk])
    page = client.get(reverse("review:declare", args=[assignment.pk])).content.decode()
    assert "Hand out 2,000 kits." not in page


def test_no_conflict_then_draft_then_submit_locks_the_review(client, login, reviewer, assignment, review_round):
    login(reviewer)
    response = client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    assert response.status_code == 302
    page = client.get(reverse("review:score", args=[assignment.pk])).content.decode()
    assert "Hand out 2,000 kits." in page and "What will you do?" in page
    assert "weighted total" in page.lower()

    client.post(reverse("review:score", args=[assignment.pk]), _post_scores(review_round, ["5", "3", "1"], save="1"))
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT and review.weighted_score is None
    # The saved draft's total without JavaScript: (3×100 + 2×50 + 1×0) / 6.
    assert "66.67 / 100" in client.get(reverse("review:score", args=[assignment.pk])).content.decode()

    client.post(
        reverse("review:score", args=[assignment.pk]),
        _post_scores(
            review_round, ["5", "3", "na"], recommendation="fund", feedback_to_applicant="Strong plan.", submit="1"
        ),
    )
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.weighted_score == Decimal("80.00")  # budget n/a: (3×100 + 2×50) / 5
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.COMPLETED

    client.post(
        reverse("review:score", args=[assignment.pk]),
        _post_scores(review_round, ["1", "1", "1"], recommendation="do_not_fund", submit="1"),
    )
    review.refresh_from_db()
    assert review.weighted_score == Decimal("80.00")


def test_submitting_incomplete_scores_shows_errors_and_keeps_the_draft(
    client, login, reviewer, assignment, review_round
):
    login(reviewer)
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    response = client.post(
        reverse("review:score", args=[assignment.pk]), _post_scores(review_round, ["4", "", ""], submit="1")
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Review.objects.filter(assignment=assignment, status=Review.Status.SUBMITTED).exists()


def test_blind_review_hides_the_organisation_and_identifying_answers(client, login, reviewer, assignment):
    panel = assignment.member.panel
    panel.blind_review = True
    panel.save()
    login(reviewer)
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    page = client.get(reverse("review:score", args=[assignment.pk])).content.decode()
    assert assignment.application.organisation.name not in page
    assert "Rosa Delgado" not in page
    assert "Hidden (blind review)" in page


def test_reviewer_cannot_open_an_unassigned_application(client, login, reviewer, assignment, review_round):
    other = Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review"),
        member=PanelMemberFactory(panel=review_round.panel),
    )
    login(reviewer)
    for name in ("review:score", "review:declare"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
        assert client.post(reverse(name, args=[other.pk]), {"has_conflict": "no"}).status_code == 404
    assert not ConflictDeclaration.objects.filter(assignment=other).exists()


def test_reviewer_cannot_open_an_application_after_declaring_a_conflict(client, login, reviewer, assignment):
    login(reviewer)
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "yes", "reason": "I volunteer there"})
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.RECUSED
    assert client.get(reverse("review:score", args=[assignment.pk])).status_code == 404
    assert client.get(reverse("review:declare", args=[assignment.pk])).status_code == 404
    assert "Hand out 2,000 kits." not in client.get(reverse("review:my_reviews")).content.decode()


def test_reviewer_cannot_see_another_reviewers_review(client, login, reviewer, assignment, review_round):
    other_member = PanelMemberFactory(panel=review_round.panel)
    theirs = Assignment.objects.create(application=assignment.application, member=other_member)
    conflict_declare(assignment=theirs, has_conflict=False, by=other_member.user)
    scores = {c.pk: {"score": 2, "na": False, "comment": "Secret note"} for c in _criteria(review_round)}
    review_save(
        assignment=theirs,
        by=other_member.user,
        scores=scores,
        recommendation="do_not_fund",
        comment_to_staff="Private to staff",
        submit=True,
    )
    login(reviewer)
    assert client.get(reverse("review:score", args=[theirs.pk])).status_code == 404
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    page = client.get(reverse("review:score", args=[assignment.pk])).content.decode()
    assert "Secret note" not in page and "Private to staff" not in page and "25.00 / 100" not in page


def test_other_reviews_are_shown_after_submitting_only_if_the_panel_allows(
    client, login, reviewer, assignment, review_round
):
    other_member = PanelMemberFactory(panel=review_round.panel)
    theirs = Assignment.objects.create(application=assignment.application, member=other_member)
    conflict_declare(assignment=theirs, has_conflict=False, by=other_member.user)
    review_save(
        assignment=theirs,
        by=other_member.user,
        recommendation="maybe",
        submit=True,
        scores={c.pk: {"score": 2, "na": False} for c in _criteria(review_round)},
    )
    conflict_declare(assignment=assignment, has_conflict=False, by=reviewer)
    review_save(
        assignment=assignment,
        by=reviewer,
        recommendation="fund",
        submit=True,
        scores={c.pk: {"score": 5, "na": False} for c in _criteria(review_round)},
    )
    login(reviewer)
    url = reverse("review:score", args=[assignment.pk])
    assert "25.00 / 100" not in client.get(url).content.decode()
    panel = review_round.panel
    panel.reviewers_see_others_after_submit = True
    panel.save()
    page = client.get(url).content.decode()
    assert "25.00 / 100" in page
    assert other_member.user.email not in page and other_member.user.last_name not in page


def test_non_reviewers_get_404_on_the_reviewer_portal(client, login, mfa_user_factory, assignment):
    applicant = mfa_user_factory(roles.APPLICANT, mfa=False)
    login(applicant)
    assert client.get(reverse("review:my_reviews")).status_code == 404
    assert client.get(reverse("review:score", args=[assignment.pk])).status_code == 404


def test_my_reviews_lists_only_my_assignments_with_due_dates(client, login, reviewer, assignment, review_round):
    Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review", title="Someone else's"),
        member=PanelMemberFactory(panel=review_round.panel),
    )
    login(reviewer)
    page = client.get(reverse("review:my_reviews")).content.decode()
    assert "Peer naloxone outreach" in page and "Someone else&#x27;s" not in page
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Your reviews" in dashboard and "0 of 1 reviews submitted" in dashboard


def test_scoring_page_query_count(client, login, reviewer, assignment, django_assert_max_num_queries):
    login(reviewer)
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    with django_assert_max_num_queries(19):
        assert client.get(reverse("review:score", args=[assignment.pk])).status_code == 200
