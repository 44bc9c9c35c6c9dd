"""Keeping ApplicationScore in step with the submitted reviews (set-based SQL; a handful of queries per call).

A review's submission or reopening changes its application's mean, spread and counts, and its reviewer's mean and
standard deviation, hence the normalised score of every application that reviewer scored. `scores_refresh` recomputes
exactly those rows."""

from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Q

from . import scoring
from .models import ApplicationScore, Review

SUBMITTED = Q(status=Review.Status.SUBMITTED)
UNSCORED_MEAN = Decimal("-1")  # below any score (0–100)
UNSCORED_NORMALISED = Decimal("-999")  # below any mean z-score


def _affected_applications(round, member_ids, application_ids):
    ids = set(application_ids or [])
    if member_ids:
        ids |= set(
            Review.objects.filter(SUBMITTED, member_id__in=member_ids, member__panel__round=round).values_list(
                "application_id", flat=True
            )
        )
    return ids


def scores_refresh(*, round, application_ids=None, member_ids=None, everything=False) -> int:
    """Recompute the scores of the given applications plus every application scored by the given reviewers
    (or the whole round with `everything`). Returns the number of rows written."""
    from .selectors import _z_expression, reviewer_stats_for_round

    if everything:
        ids = set(Review.objects.filter(member__panel__round=round).values_list("application_id", flat=True))
        ids |= set(application_ids or [])
    else:
        ids = _affected_applications(round, member_ids, application_ids)
    if not ids:
        return 0
    stats = reviewer_stats_for_round(round)
    base = Review.objects.filter(application_id__in=ids).values("application_id").order_by()
    rows = {
        r["application_id"]: r
        for r in base.filter(SUBMITTED).annotate(
            mean=Avg("weighted_score"),
            high=Max("weighted_score"),
            low=Min("weighted_score"),
            n=Count("pk"),
            fund=Count("pk", filter=Q(recommendation=Review.Recommendation.FUND)),
            maybe=Count("pk", filter=Q(recommendation=Review.Recommendation.MAYBE)),
            no=Count("pk", filter=Q(recommendation=Review.Recommendation.DO_NOT_FUND)),
        )
    }
    z_rows = dict(
        base.filter(SUBMITTED, weighted_score__isnull=False)
        .annotate(z=Avg(_z_expression(stats, prefix="")))
        .values_list("application_id", "z")
    )
    objects = []
    for application_id in ids:
        row = rows.get(application_id)
        z = z_rows.get(application_id)
        mean = scoring.mean([row["mean"]]) if row and row["mean"] is not None else None
        normalised = (Decimal(str(z)).quantize(scoring.Z_PLACES) + 0) if z is not None else None
        objects.append(
            ApplicationScore(
                application_id=application_id,
                round_id=round.pk,
                mean_score=mean,
                normalised_score=normalised,
                sort_mean=mean if mean is not None else UNSCORED_MEAN,
                sort_normalised=normalised if normalised is not None else UNSCORED_NORMALISED,
                max_score=row["high"] if row else None,
                min_score=row["low"] if row else None,
                submitted_reviews=row["n"] if row else 0,
                fund_count=row["fund"] if row else 0,
                maybe_count=row["maybe"] if row else 0,
                no_count=row["no"] if row else 0,
            )
        )
    ApplicationScore.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["application"],
        update_fields=[
            "round",
            "mean_score",
            "normalised_score",
            "sort_mean",
            "sort_normalised",
            "max_score",
            "min_score",
            "submitted_reviews",
            "fund_count",
            "maybe_count",
            "no_count",
            "updated_at",
        ],
    )
    return len(objects)


def scores_ensure(*, round, application_ids) -> None:
    """An empty score row for each application that gets reviewers, so the ranking lists it before any review is in."""
    ApplicationScore.objects.bulk_create(
        [ApplicationScore(application_id=pk, round_id=round.pk) for pk in set(application_ids)],
        batch_size=2000,
        ignore_conflicts=True,
    )
