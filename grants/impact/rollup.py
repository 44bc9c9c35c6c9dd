"""The dashboard's rollup (`MetricRollup`): each award's approved figures folded per metric, quarter and breakdown
neighbourhood, with the "latest" rule already applied for every window the dashboard filters by.

Why: deciding "is a later approved report of the same award reporting this metric?" for every value row made the
first dashboard view after any change cost seconds at 20,000 reports. That decision only ever involves one award's
handful of reports, so it is taken here, per award, when that award's reports or values change; the dashboard then
reads a second level (`MetricRollupSegment`: the per-award rows summed per round, fund, organisation type and
main neighbourhood, about a thousand rows at 20,000 reports) and gets exactly the figures of the from-scratch
aggregation (aggregation.dashboard_figures), which stays as the reference the tests compare with.

The refresh runs on every save or delete of an `ImpactReport` or a `MetricValue` (receivers connected in apps.py,
next to the figure cache's invalidation), inside the caller's transaction, so the approval and its figures commit
together; it then recomputes the segments the award was and is counted in. A change of an organisation's type or main
neighbourhood, or of an award's round, fund or organisation, moves its rows to the new segment (receivers
`organisation_changed`, `award_changed`). Bulk loads that bypass signals (bench scripts, factories' bulk helpers) call `rollup_rebuild` or
`rollup_refresh` themselves.
"""

import zlib
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum

from .models import ImpactReport, MetricRollup, MetricRollupSegment, MetricValue
from .selectors import figures_changed

SEGMENT_FIELDS = ("round_id", "fund_id", "org_type", "org_neighbourhood_id")
VALUE_FIELDS = (
    "report__award_id",
    "metric_id",
    "neighbourhood_id",
    "value",
    "report__period_end",
    "report__number",
    "report__award__round_id",
    "report__award__fund_id",
    "report__award__organisation__org_type",
    "report__award__organisation__neighbourhood_id",
)
SUMMED_FIELDS = (
    "total",
    "count",
    "latest",
    "latest_in_year",
    "latest_in_quarter",
    "latest_in_quarter_number",
)
BATCH = 2000
LOCK_NAMESPACE = 18_0601  # pg_advisory_xact_lock(namespace, segment hash): one refresher per segment at a time


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
        segment = (
            row["report__award__round_id"],
            row["report__award__fund_id"],
            row["report__award__organisation__org_type"],
            row["report__award__organisation__neighbourhood_id"],
        )
        key = (row["report__award_id"], row["metric_id"], row["neighbourhood_id"], end.year, _quarter(end), segment)
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
            **dict(zip(SEGMENT_FIELDS, segment)),
        }
        for (award_id, metric_id, neighbourhood_id, year, quarter, segment), cell in cells.items()
    ]


def _approved_values():
    return MetricValue.objects.filter(report__status=ImpactReport.Status.APPROVED, value__isnull=False)


def _segments_q(segments) -> Q:
    q = Q(pk__in=[])
    for segment in segments:
        q |= Q(**dict(zip(SEGMENT_FIELDS, segment)))  # a None neighbourhood becomes IS NULL
    return q


def _segment_rows(rollup_model, segment_model, q) -> list:
    """The segment-level rows of the per-award rows matching `q`, summed in the database. One query."""
    group = (*SEGMENT_FIELDS, "metric_id", "neighbourhood_id", "year", "quarter")
    sums = (
        rollup_model.objects.filter(q)
        .values(*group)
        .annotate(**{f"sum_{name}": Sum(name) for name in SUMMED_FIELDS})
        .order_by()
    )
    return [
        segment_model(**{name: row[name] for name in group}, **{name: row[f"sum_{name}"] for name in SUMMED_FIELDS})
        for row in sums
    ]


def _segments_refresh(segments) -> None:
    """Recompute these segments' rows from the per-award rows. On PostgreSQL, two transactions refreshing the same
    segment take turns (an advisory lock held to commit), so the second one's sums include the first one's awards."""
    segments = sorted(set(segments), key=repr)
    if not segments:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for segment in segments:
                key = zlib.crc32(repr(segment).encode()) - 2**31
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, key])
    q = _segments_q(segments)
    MetricRollupSegment.objects.filter(q).delete()
    MetricRollupSegment.objects.bulk_create(_segment_rows(MetricRollup, MetricRollupSegment, q), batch_size=BATCH)


@transaction.atomic
def rollup_refresh(*, award_ids) -> None:
    """Recompute the rollup rows of these awards from their approved values, then the segments they were and are
    counted in. A fixed number of queries whatever the fund's size (one more lock per extra segment on PostgreSQL)."""
    from grants.awards.models import Award

    award_ids = [pk for pk in set(award_ids) if pk is not None]
    if not award_ids:
        return
    mine = MetricRollup.objects.filter(award_id__in=award_ids)
    # Where the awards were counted (their rows) and where they belong now (still there after a cascade removed the
    # rows first), in one round trip.
    current = Award.objects.filter(pk__in=award_ids).values_list(
        "round_id", "fund_id", "organisation__org_type", "organisation__neighbourhood_id"
    )
    segments = set(mine.values_list(*SEGMENT_FIELDS).order_by().union(current.order_by()))
    mine.delete()
    rows = _approved_values().filter(report__award_id__in=award_ids).values(*VALUE_FIELDS)
    MetricRollup.objects.bulk_create([MetricRollup(**c) for c in rollup_cells(rows)], batch_size=BATCH)
    _segments_refresh(segments)


def rollup_rebuild_with(*, rollup_model, segment_model, value_model) -> int:
    """Recompute the whole rollup, award by award in a streamed read, then every segment (models passed in so a
    migration can backfill). Returns the number of per-award rows."""
    rollup_model.objects.all().delete()
    segment_model.objects.all().delete()
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
    created += flush()
    segment_model.objects.bulk_create(_segment_rows(rollup_model, segment_model, Q()), batch_size=BATCH)
    return created


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute the whole rollup (after a bulk load, or to repair it)."""
    return rollup_rebuild_with(rollup_model=MetricRollup, segment_model=MetricRollupSegment, value_model=MetricValue)


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


def _touches(update_fields, names) -> bool:
    return update_fields is None or bool(set(update_fields) & names)


def organisation_changed(*, instance, created=False, update_fields=None, **kwargs):
    """Signal receiver (Organisation saved): when its type or main neighbourhood changed, its awards' rows move to
    their new segment. One query when nothing moved (none when the save names other fields only)."""
    if created or not _touches(update_fields, {"org_type", "neighbourhood", "neighbourhood_id"}):
        return
    moved = (
        MetricRollup.objects.filter(award__organisation_id=instance.pk)
        .exclude(org_type=instance.org_type, org_neighbourhood_id=instance.neighbourhood_id)
        .values_list("award_id", flat=True)
        .distinct()
    )
    award_ids = list(moved)
    if award_ids:
        rollup_refresh(award_ids=award_ids)
        figures_changed()


def award_changed(*, instance, created=False, update_fields=None, **kwargs):
    """Signal receiver (Award saved): when its round, fund or organisation changed, its rows move to their new
    segment. One query when the award has no approved figures, two when nothing moved."""
    from applicants.models import Organisation

    names = {"round", "round_id", "fund", "fund_id", "organisation", "organisation_id"}
    if created or not _touches(update_fields, names):
        return
    counted = set(MetricRollup.objects.filter(award_id=instance.pk).values_list(*SEGMENT_FIELDS).distinct())
    if not counted:
        return
    org_type, neighbourhood_id = Organisation.objects.values_list("org_type", "neighbourhood_id").get(
        pk=instance.organisation_id
    )
    if counted != {(instance.round_id, instance.fund_id, org_type, neighbourhood_id)}:
        rollup_refresh(award_ids=[instance.pk])
        figures_changed()
