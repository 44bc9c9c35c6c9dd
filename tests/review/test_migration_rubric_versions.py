"""The rubric-versions migration carries existing review data: rubrics become version 1 (frozen if reviews were
submitted), submitted reviews point at it, drafts keep their scores, every criterion gets its own key."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories.grants import ApplicationFactory, FundingRoundFactory
from tests.factories.portal import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("review", "0001_initial")]


def _latest():
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "review"]


def test_existing_rubrics_reviews_and_drafts_survive_the_migration():
    funding_round = FundingRoundFactory(status="review")
    application = ApplicationFactory(round=funding_round, status="in_review")
    untouched_round = FundingRoundFactory(status="open")
    users = [UserFactory() for _ in range(3)]
    latest = _latest()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Rubric, Criterion = old.get_model("review", "Rubric"), old.get_model("review", "Criterion")
        Panel, PanelMember = old.get_model("review", "Panel"), old.get_model("review", "PanelMember")
        Assignment, Review = old.get_model("review", "Assignment"), old.get_model("review", "Review")
        ReviewScore = old.get_model("review", "ReviewScore")
        rubric = Rubric.objects.create(round_id=funding_round.pk, title="Guide")
        quiet = Rubric.objects.create(round_id=untouched_round.pk, title="Not used yet")
        need = Criterion.objects.create(rubric=rubric, title="Need", weight=Decimal("2"), order=1)
        plan = Criterion.objects.create(rubric=rubric, title="Plan", weight=Decimal("1"), order=2)
        Criterion.objects.create(rubric=quiet, title="Only", order=1)
        panel = Panel.objects.create(round_id=funding_round.pk, name="Panel")
        submitted_at = timezone.now() - timedelta(days=3)
        reviews = []
        for user, status in zip(users, ["submitted", "draft", "draft"]):
            member = PanelMember.objects.create(panel=panel, user_id=user.pk, kind="staff")
            assignment = Assignment.objects.create(application_id=application.pk, member=member)
            review = Review.objects.create(
                assignment=assignment,
                application_id=application.pk,
                member=member,
                status=status,
                submitted_at=submitted_at if status == "submitted" else None,
                weighted_score=Decimal("75.00") if status == "submitted" else None,
                recommendation="fund",
            )
            ReviewScore.objects.create(review=review, criterion=need, score=4, comment="Clear need")
            ReviewScore.objects.create(review=review, criterion=plan, score=None, not_applicable=True)
            reviews.append(review.pk)
        reopened = Review.objects.get(pk=reviews[2])
        reopened.reopened_at = timezone.now()
        reopened.save()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    new = MigrationExecutor(connection).loader.project_state(latest).apps
    Rubric, Criterion = new.get_model("review", "Rubric"), new.get_model("review", "Criterion")
    Review, ReviewScore = new.get_model("review", "Review"), new.get_model("review", "ReviewScore")
    rubric = Rubric.objects.get(round_id=funding_round.pk)
    assert (rubric.version, rubric.is_current, rubric.frozen_at) == (1, True, submitted_at)
    assert Rubric.objects.get(round_id=untouched_round.pk).frozen_at is None
    keys = list(Criterion.objects.values_list("key", flat=True))
    assert None not in keys and len(set(keys)) == len(keys)
    need = Criterion.objects.get(title="Need")
    submitted, draft, reopened = (Review.objects.get(pk=pk) for pk in reviews)
    assert submitted.rubric_id == rubric.pk and submitted.draft_scores == {}
    assert ReviewScore.objects.filter(review_id=submitted.pk).count() == 2
    assert draft.rubric_id is None
    assert draft.draft_scores[str(need.key)] == {"score": 4, "na": False, "comment": "Clear need"}
    assert not ReviewScore.objects.filter(review_id=draft.pk).exists()
    # A reopened review keeps the scores it was submitted with, bound to its version, and gets them as its draft.
    assert reopened.rubric_id == rubric.pk
    assert ReviewScore.objects.filter(review_id=reopened.pk).count() == 2
    assert reopened.draft_scores[str(need.key)]["score"] == 4
