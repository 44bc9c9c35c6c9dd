"""The dashboard's rollup (`MetricRollup`): each award's approved figures folded per metric, quarter and breakdown
neighbourhood, with the "latest" rule already applied for every window the dashboard filters by.

Why: deciding "is a later approved report of the same award reporting this metric?" for every value row made the
first dashboard view after any change cost seconds at 20,000 reports. That decision only ever involves one award's
handful of reports, so it is taken here, per award, when that award's reports or values change; the dashboard then
sums rollup rows (aggregation.dashboard_figures_from_rollup) and gets exactly the figures of the from-scratch
aggregation (aggregation.dashboard_figures), which stays as the reference the tests compare with.

The refresh runs on every save or delete of an `ImpactReport` or a `MetricValue` (receivers connected in apps.py,
next to the figure cache's invalidation), inside the caller's transaction, so the approval and its figures commit
together. Bulk loads that bypass signals (bench scripts, factories' bulk helpers) call `rollup_rebuild` or
`rollup_refresh` themselves.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from .models import ImpactReport, MetricRollup, MetricValue

VALUE_FIELDS = ("report__award_id", "metric_id", "neighbourhood_id", "value", "report__period_end", "report__number")
BATCH = 2000


def _quarter(day) -> int:
    return (day.month - 1) // 3 + 1


def rollup_cells(values) -> list[dict]:
    """Fold value rows (dicts with VALUE_FIELDS, approved reports only, value not null) into rollup rows' fields.
    A total (no neighbourhood) counts as "latest" in a window when no later report of its award (later period end,
    then higher number) reports the same metric inside that window."""
    cells = {}
    totals_by_series = defaultdict(list)
    for row in values:
        end = row["report__period_end"]
        key = (row["report__award_id"], row["metric_id"], row["neighbourhood_id"], end.year, _quarter(end))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = {"total": Decimal(0), "count": 0, "latest": [Decimal(0)] * 4}
        cell["total"] += row["value"]
        cell["count"] += 1
        if row["neighbourhood_id"] is None:
            totals_by_series[(row["report__award_id"], row["metric_id"])].append(
                (end, row["report__number"], row["value"], key)
            )
    for series in totals_by_series.values():
        for end, number, value, key in series:
            later = [other for other, n, *_rest in series if (other, n) > (end, number)]
            windows = (
                not later,
                not any(o.year == end.year for o in later),
                not any(o.year == end.year and _quarter(o) == _quarter(end) for o in later),
                not any(_quarter(o) == _quarter(end) for o in later),
            )
            latest = cells[key]["latest"]
            for i, counts in enumerate(windows):
                if counts:
                    latest[i] += value
    return [
        {
            "award_id": award_id,
            "metric_id": metric_id,
            "neighbourhood_id": neighbourhood_id,
            "year": year,
            "quarter": quarter,
            "total": cell["total"],
            "count": cell["count"],
            "latest": cell["latest"][0],
            "latest_in_year": cell["latest"][1],
            "latest_in_quarter": cell["latest"][2],
            "latest_in_quarter_number": cell["latest"][3],
        }
        for (award_id, metric_id, neighbourhood_id, year, quarter), cell in cells.items()
    ]


def _approved_values():
    return MetricValue.objects.filter(report__status=ImpactReport.Status.APPROVED, value__isnull=False)


@transaction.atomic
def rollup_refresh(*, award_ids) -> None:
    """Recompute the rollup rows of these awards from their approved values. Three queries whatever the fund's size."""
    award_ids = [pk for pk in set(award_ids) if pk is not None]
    if not award_ids:
        return
    MetricRollup.objects.filter(award_id__in=award_ids).delete()
    rows = _approved_values().filter(report__award_id__in=award_ids).values(*VALUE_FIELDS)
    MetricRollup.objects.bulk_create([MetricRollup(**c) for c in rollup_cells(rows)], batch_size=BATCH)


def rollup_rebuild_with(*, rollup_model, value_model) -> int:
    """Recompute the whole rollup, award by award in a streamed read (models passed in so a migration can backfill)."""
    rollup_model.objects.all().delete()
    values = value_model.objects.filter(report__status=ImpactReport.Status.APPROVED, value__isnull=False)
    rows = values.order_by("report__award_id").values(*VALUE_FIELDS).iterator(chunk_size=BATCH)
    created, pending, current = 0, [], None

    def flush():
        cells = [rollup_model(**c) for c in rollup_cells(pending)]
        return len(rollup_model.objects.bulk_create(cells, batch_size=BATCH))

    for row in rows:
        if row["report__award_id"] != current and len(pending) >= BATCH:
            created += flush()
            pending = []
        current = row["report__award_id"]
        pending.append(row)
    return created + flush()


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute the whole rollup (after a bulk load, or to repair it)."""
    return rollup_rebuild_with(rollup_model=MetricRollup, value_model=MetricValue)


def report_changed(*, instance, **kwargs):
    """Signal receiver (ImpactReport saved or deleted): its award's figures may have changed."""
    rollup_refresh(award_ids=[instance.award_id])


def value_changed(*, instance, **kwargs):
    """Signal receiver (MetricValue saved or deleted): refresh its award when the value belongs to an approved report
    (values of drafts and submissions never count, so saving a draft costs one look-up and no refresh)."""
    award_id = (
        ImpactReport.objects.filter(pk=instance.report_id, status=ImpactReport.Status.APPROVED)
        .values_list("award_id", flat=True)
        .first()
    )
    if award_id is not None:
        rollup_refresh(award_ids=[award_id])
