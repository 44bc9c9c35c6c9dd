"""The scoring maths, as pure functions over Decimals (no database).

Conventions (documented in docs/review.md):
- A criterion score is put on a 0–100 scale before weighting: (score − scale_min) / (scale_max − scale_min) × 100,
  so criteria with different scales combine fairly. 1–5 → 0, 25, 50, 75, 100.
- A review's weighted score is Σ(weight × scaled) / Σ(weight) over the criteria it scored. "Not applicable" criteria are
  left out of both sums: n/a never counts as zero. A review with every criterion n/a has no score (None).
  Rounded half-up to 0.01.
- An application's mean is the mean of its submitted reviews' weighted scores, to 0.01.
- A reviewer's z-score for a review is (score − the reviewer's mean) / the reviewer's population standard deviation,
  over that reviewer's submitted reviews in the round. A reviewer with fewer than two reviews, or who gave everyone the
  same score, has z = 0 for every review (no information about their harshness). z to 0.001.
- The normalised score of an application is the mean of its reviews' z-scores (full precision, then to 0.001).
- Spread is max − min of the weighted scores; disagreement when spread > threshold.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

HUNDRED = Decimal(100)
ZERO = Decimal(0)
SCORE_PLACES = Decimal("0.01")
Z_PLACES = Decimal("0.001")
RECOMMENDATIONS = ("fund", "maybe", "do_not_fund")


def _q(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def scaled_score(score, scale_min, scale_max) -> Decimal:
    """A point on a criterion's scale as 0–100."""
    low, high = Decimal(scale_min), Decimal(scale_max)
    if high <= low:
        raise ValueError("scale_max must be above scale_min")
    value = Decimal(score)
    if value < low or value > high:
        raise ValueError(f"score {score} is outside the scale {scale_min}–{scale_max}")
    return (value - low) / (high - low) * HUNDRED


def review_weighted_score(scored) -> Decimal | None:
    """`scored`: iterable of (criterion, score) where criterion has weight/scale_min/scale_max and score is None for n/a."""
    numerator = ZERO
    denominator = ZERO
    with localcontext() as ctx:
        ctx.prec = 28
        for criterion, score in scored:
            if score is None:
                continue
            weight = Decimal(criterion.weight)
            numerator += weight * scaled_score(score, criterion.scale_min, criterion.scale_max)
            denominator += weight
        if denominator == ZERO:
            return None
        return _q(numerator / denominator, SCORE_PLACES)


def mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return _q(sum(values, ZERO) / len(values), SCORE_PLACES)


@dataclass(frozen=True)
class ReviewerStats:
    count: int
    mean: Decimal  # full precision
    std: Decimal  # population standard deviation, full precision

    @property
    def informative(self) -> bool:
        return self.count >= 2 and self.std > ZERO


def reviewer_stats(scores) -> ReviewerStats:
    """Mean and population standard deviation of one reviewer's submitted weighted scores."""
    values = [Decimal(v) for v in scores if v is not None]
    if not values:
        return ReviewerStats(0, ZERO, ZERO)
    with localcontext() as ctx:
        ctx.prec = 28
        m = sum(values, ZERO) / len(values)
        variance = sum(((v - m) ** 2 for v in values), ZERO) / len(values)
        return ReviewerStats(len(values), m, variance.sqrt())


def stats_from_sums(count: int, total, total_of_squares) -> ReviewerStats:
    """The same statistics from n, Σx and Σx² (what one grouped SQL query returns)."""
    if not count:
        return ReviewerStats(0, ZERO, ZERO)
    with localcontext() as ctx:
        ctx.prec = 28
        total, total_of_squares = Decimal(str(total)), Decimal(str(total_of_squares))
        m = total / count
        variance = total_of_squares / count - m * m
        if variance < Decimal("1e-9"):  # all equal (or float noise from the database)
            variance = ZERO
        return ReviewerStats(count, m, variance.sqrt())


def _z(score, stats: ReviewerStats) -> Decimal:
    if not stats.informative:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 28
        return (Decimal(score) - stats.mean) / stats.std


def z_score(score, stats: ReviewerStats) -> Decimal:
    return _q(_z(score, stats), Z_PLACES)


def normalised_score(reviews, stats_by_reviewer) -> Decimal | None:
    """`reviews`: iterable of (reviewer_key, weighted_score). Mean of the reviews' z-scores."""
    zs = [_z(score, stats_by_reviewer[key]) for key, score in reviews if score is not None]
    if not zs:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return _q(sum(zs, ZERO) / len(zs), Z_PLACES)


def spread(values) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return max(values) - min(values)


def is_disagreement(spread_value, threshold) -> bool:
    return spread_value is not None and Decimal(spread_value) > Decimal(threshold)


def recommendation_counts(recommendations) -> dict:
    counts = Counter(r for r in recommendations if r)
    return {key: counts.get(key, 0) for key in RECOMMENDATIONS}


@dataclass
class ApplicationResult:
    scores: list = field(default_factory=list)  # weighted score per submitted review
    z_scores: list = field(default_factory=list)
    mean: Decimal | None = None
    normalised: Decimal | None = None
    spread: Decimal | None = None
    disagreement: bool = False
    recommendations: dict = field(default_factory=dict)


def application_result(reviews, stats_by_reviewer, threshold) -> ApplicationResult:
    """`reviews`: iterable of (reviewer_key, weighted_score, recommendation) for the application's submitted reviews."""
    reviews = list(reviews)
    scores = [score for _key, score, _rec in reviews]
    spread_value = spread(scores)
    return ApplicationResult(
        scores=scores,
        z_scores=[
            z_score(score, stats_by_reviewer[key]) if score is not None else None for key, score, _rec in reviews
        ],
        mean=mean(scores),
        normalised=normalised_score([(key, score) for key, score, _rec in reviews], stats_by_reviewer),
        spread=spread_value,
        disagreement=is_disagreement(spread_value, threshold),
        recommendations=recommendation_counts(rec for _key, _score, rec in reviews),
    )
