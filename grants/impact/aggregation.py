"""What the fund's money achieved, aggregated in the database (a fixed number of queries whatever the number of reports).

Rules:
- Only APPROVED reports count. Drafts, submitted, sent-back and overdue reports never change a total.
- A metric's total follows its `aggregation`:
  * sum: the sum of the report totals;
  * average: the mean of the report totals (each approved report counts once);
  * latest: per award, the value in its most recent approved report (latest period end, then highest report number)
    within the window asked for; these are summed across awards. "Peer workers employed" is a head count, so adding up
    every quarter would count the same people four times a year; the latest figure per grant is what is true now.
- Trend and per-year tables apply the same rule inside each period (for "latest": per award, its latest report in
  that quarter or year).
- Report totals are the rows without a neighbourhood; rows with a neighbourhood are the grantee's optional breakdown and
  only feed `neighbourhood_breakdown`.
- Periods are placed by the report's period end date (a report for October to December 2025 is 2025 Q4).
"""

from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImpactReport, Metric, MetricRollupSegment, MetricValue

CENT = Decimal("0.01")
METRIC_FIELDS = (
    "metric_id",
    "metric__key",
    "metric__label",
    "metric__unit",
    "metric__aggregation",
    "metric__kind",
    "metric__order",
)


def report_filters(
    *, round=None, fund=None, year=None, quarter=None, neighbourhood=None, org_type=None, prefix="report__"
):
    """Lookups (relative to MetricValue, or to ImpactReport with prefix="") for the dashboard's filters."""
    f = {}
    if round is not None:
        f[f"{prefix}award__round"] = round
    if fund is not None:
        f[f"{prefix}award__fund"] = fund
    if year:
        f[f"{prefix}period_end__year"] = int(year)
    if quarter:
        f[f"{prefix}period_end__quarter"] = int(quarter)
    if neighbourhood is not None:
        f[f"{prefix}award__organisation__neighbourhood"] = neighbourhood
    if org_type:
        f[f"{prefix}award__organisation__org_type"] = org_type
    return f


def _approved_totals(filters):
    return MetricValue.objects.filter(
        report__status=ImpactReport.Status.APPROVED,
        neighbourhood__isnull=True,
        value__isnull=False,
        metric__kind__in=Metric.NUMERIC_KINDS,
        **filters,
    )


def _newer_reports(filters):
    """Later approved reports of the same award that report the same metric. Rooted at the award's reports (a grant
    has a handful), so the database probes a few index entries per value row instead of scanning every value."""
    report_lookups = {k.removeprefix("report__"): v for k, v in filters.items()}
    return ImpactReport.objects.filter(
        status=ImpactReport.Status.APPROVED,
        award=OuterRef("report__award"),
        values__metric=OuterRef("metric"),
        values__neighbourhood__isnull=True,
        values__value__isnull=False,
        **report_lookups,
    ).filter(
        Q(period_end__gt=OuterRef("report__period_end"))
        | Q(period_end=OuterRef("report__period_end"), number__gt=OuterRef("report__number"))
    )


def _with_latest_flag(qs, filters, *, same=()):
    """Annotate `superseded`: a later approved report of the same award (within the same `same` periods) reports this
    metric too. Only rows with superseded=False feed a "latest" total."""
    newer = _newer_reports(filters)
    for lookup, annotation in same:
        newer = newer.filter(**{lookup.removeprefix("report__"): OuterRef(annotation)})
    return qs.annotate(superseded=Exists(newer))


def _aggregate(qs):
    return qs.annotate(
        total_sum=Sum("value"),
        total_avg=Avg("value"),
        total_latest=Sum(Case(When(superseded=False, then=F("value")), default=None)),
        reports=Count("report_id", distinct=True),
    )


def _pick(row) -> Decimal:
    aggregation = row["metric__aggregation"]
    if aggregation == Metric.Aggregation.AVERAGE:
        value = row["total_avg"]
    elif aggregation == Metric.Aggregation.LATEST:
        value = row["total_latest"]
    else:
        value = row["total_sum"]
    return Decimal(value or 0).quantize(CENT)


def _metric_dict(row) -> dict:
    return {
        "metric_id": row["metric_id"],
        "key": row["metric__key"],
        "label": row["metric__label"],
        "unit": row["metric__unit"],
        "aggregation": row["metric__aggregation"],
        "kind": row["metric__kind"],
        "total": _pick(row),
        "reports": row["reports"],
    }


def metric_totals(**filter_kwargs) -> list[dict]:
    """One row per metric with approved figures: key, label, unit, aggregation, kind, total, reports. One query."""
    filters = report_filters(**filter_kwargs)
    qs = _with_latest_flag(_approved_totals(filters), filters)
    rows = _aggregate(qs.values(*METRIC_FIELDS)).order_by("metric__order", "metric__label")
    return [_metric_dict(row) for row in rows]


def metric_totals_by(dimension: str, **filter_kwargs) -> list[dict]:
    """Totals per metric split by "round", "org_type", "year" or "quarter" (year and quarter). One query."""
    filters = report_filters(**filter_kwargs)
    qs = _approved_totals(filters)
    same = ()
    if dimension == "round":
        qs, group = qs.annotate(group=F("report__award__round__title")), ("group",)
    elif dimension == "org_type":
        qs, group = qs.annotate(group=F("report__award__organisation__org_type")), ("group",)
    elif dimension == "year":
        qs = qs.annotate(p_year=ExtractYear("report__period_end"))
        group, same = ("p_year",), (("report__period_end__year", "p_year"),)
    elif dimension == "quarter":
        qs = qs.annotate(p_year=ExtractYear("report__period_end"), p_quarter=ExtractQuarter("report__period_end"))
        group = ("p_year", "p_quarter")
        same = (("report__period_end__year", "p_year"), ("report__period_end__quarter", "p_quarter"))
    else:
        raise ValueError(dimension)
    qs = _with_latest_flag(qs, filters, same=same)
    rows = _aggregate(qs.values(*group, *METRIC_FIELDS)).order_by(*group, "metric__order", "metric__label")
    result = []
    for row in rows:
        item = _metric_dict(row)
        for key in group:
            item[key] = row[key]
        result.append(item)
    return result


def trend(**filter_kwargs) -> dict:
    """Per metric, the quarterly series: {metric key: {"label", "unit", "points": [(“2025 Q1”, total), ...]}}. One query."""
    series = {}
    for row in metric_totals_by("quarter", **filter_kwargs):
        entry = series.setdefault(
            row["key"],
            {
                "key": row["key"],
                "label": row["label"],
                "unit": row["unit"],
                "aggregation": row["aggregation"],
                "points": [],
            },
        )
        entry["points"].append((f"{row['p_year']} Q{row['p_quarter']}", row["total"]))
    return series


def neighbourhood_breakdown(**filter_kwargs) -> list[dict]:
    """Where the work happened, from the grantees' optional breakdowns of summed metrics (approved reports). One query."""
    filters = report_filters(**filter_kwargs)
    rows = (
        MetricValue.objects.filter(
            report__status=ImpactReport.Status.APPROVED,
            neighbourhood__isnull=False,
            value__isnull=False,
            metric__aggregation=Metric.Aggregation.SUM,
            **filters,
        )
        .values("neighbourhood__name", "metric__key", "metric__label", "metric__order")
        .annotate(total=Sum("value"))
        .order_by("neighbourhood__name", "metric__order")
    )
    return [
        {
            "neighbourhood": r["neighbourhood__name"],
            "key": r["metric__key"],
            "label": r["metric__label"],
            "total": Decimal(r["total"] or 0).quantize(CENT),
        }
        for r in rows
    ]


def compliance(*, today=None, **filter_kwargs) -> dict:
    """Counts of reports: due (not yet late), submitted, changes_requested, approved, overdue, total. One query.
    Filters by period apply to the report's period end; a due or draft report past its due date counts as overdue."""
    today = today or timezone.localdate()
    S = ImpactReport.Status
    late = Q(status=S.OVERDUE) | Q(status__in=ImpactReport.OPEN_STATUSES, due_date__lt=today)
    return ImpactReport.objects.filter(**report_filters(prefix="", **filter_kwargs)).aggregate(
        due=Count("pk", filter=Q(status__in=ImpactReport.OPEN_STATUSES, due_date__gte=today)),
        submitted=Count("pk", filter=Q(status=S.SUBMITTED)),
        changes_requested=Count("pk", filter=Q(status=S.CHANGES_REQUESTED)),
        approved=Count("pk", filter=Q(status=S.APPROVED)),
        overdue=Count("pk", filter=late),
        total=Count("pk"),
    )


def _size_case(prefix):
    budget = f"{prefix}annual_budget"
    return Case(
        When(**{f"{budget}__isnull": True}, then=Value("small")),
        When(**{f"{budget}__lt": 250_000}, then=Value("small")),
        When(**{f"{budget}__lte": 1_000_000}, then=Value("medium")),
        default=Value("large"),
        output_field=CharField(),
    )


def equity(*, round=None, year=None, neighbourhood=None, org_type=None) -> dict:
    """How awarded money is spread across neighbourhoods, organisation sizes, peer-led and culturally specific
    organisations, next to the applicant pool (share of applications vs share of money). One query (a UNION).

    Awards count while offered, accepted or completed; applications count once submitted (drafts and withdrawn do not).
    The year is the round's opening year."""
    from applicants.models import Organisation
    from grants.awards.models import Award
    from grants.models import Application

    def scoped(qs, org_prefix):
        if round is not None:
            qs = qs.filter(round=round)
        if year:
            qs = qs.filter(round__opens_at__year=int(year))
        if neighbourhood is not None:
            qs = qs.filter(**{f"{org_prefix}neighbourhood": neighbourhood})
        if org_type:
            qs = qs.filter(**{f"{org_prefix}org_type": org_type})
        return qs

    dims = ("organisation__neighbourhood__name", "size", "organisation__peer_led", "organisation__culturally_specific")
    awards = (
        scoped(Award.objects.filter(status__in=Award.ACTIVE_STATUSES), "organisation__")
        .annotate(size=_size_case("organisation__"))
        .values(*dims)
        .annotate(n=Count("pk"), money=Sum("amount"), is_award=Value(1, output_field=IntegerField()))
        .order_by()
    )
    applications = (
        scoped(
            Application.objects.exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN]),
            "organisation__",
        )
        .annotate(size=_size_case("organisation__"))
        .values(*dims)
        .annotate(
            n=Count("pk"),
            money=Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2)),
            is_award=Value(0, output_field=IntegerField()),
        )
        .order_by()
    )
    # One round trip for both sides of the comparison.
    combined = list(awards.union(applications, all=True))
    awards = [r for r in combined if r["is_award"] == 1]
    applications = [r for r in combined if r["is_award"] == 0]
    sizes = dict(Organisation.Size.choices)
    labels = {
        "neighbourhood": lambda v: v or _("Not given"),
        "size": lambda v: str(sizes.get(v, v)),
        "peer_led": lambda v: _("Peer-led") if v else _("Not peer-led"),
        "culturally_specific": lambda v: _("Culturally specific") if v else _("Not culturally specific"),
    }
    keys = dict(zip(("neighbourhood", "size", "peer_led", "culturally_specific"), dims))
    tables = {name: {} for name in keys}
    totals = {"applications": 0, "awards": 0, "money": Decimal("0")}
    for row in applications:
        totals["applications"] += row["n"]
        for name, field in keys.items():
            cell = tables[name].setdefault(row[field], {"applications": 0, "awards": 0, "money": Decimal("0")})
            cell["applications"] += row["n"]
    for row in awards:
        totals["awards"] += row["n"]
        totals["money"] += row["money"] or 0
        for name, field in keys.items():
            cell = tables[name].setdefault(row[field], {"applications": 0, "awards": 0, "money": Decimal("0")})
            cell["awards"] += row["n"]
            cell["money"] += row["money"] or 0

    def share(part, whole):
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal("0.0")

    result = {"totals": totals}
    for name, cells in tables.items():
        rows = []
        for value, cell in cells.items():
            rows.append(
                {
                    "label": labels[name](value),
                    **cell,
                    "share_applications": share(cell["applications"], totals["applications"]),
                    "share_money": share(cell["money"], totals["money"]),
                }
            )
        rows.sort(key=lambda r: (-r["money"], r["label"]))
        for row in rows:
            row["gap"] = row["share_money"] - row["share_applications"]
        result[name] = rows
    return result


def dashboard_figures(**filter_kwargs) -> dict:
    """Everything the staff dashboard shows from report values, in ONE query grouped by quarter, organisation type,
    neighbourhood (breakdown rows) and metric; the handful of groups are then folded into totals, the quarterly trend,
    per-type totals and the neighbourhood breakdown with the same rules as `metric_totals` and friends."""
    filters = report_filters(**filter_kwargs)
    qs = MetricValue.objects.filter(
        report__status=ImpactReport.Status.APPROVED,
        value__isnull=False,
        metric__kind__in=Metric.NUMERIC_KINDS,
        **filters,
    ).annotate(
        p_year=ExtractYear("report__period_end"),
        p_quarter=ExtractQuarter("report__period_end"),
        org_type=F("report__award__organisation__org_type"),
        nbh=F("neighbourhood__name"),
    )
    newer = _newer_reports(filters)
    in_quarter = newer.filter(period_end__year=OuterRef("p_year"), period_end__quarter=OuterRef("p_quarter"))
    qs = qs.annotate(sup_all=Exists(newer), sup_q=Exists(in_quarter))
    rows = (
        qs.values("p_year", "p_quarter", "org_type", "nbh", *METRIC_FIELDS)
        .annotate(
            s=Sum("value"),
            n=Count("value"),
            latest_all=Sum(Case(When(sup_all=False, then=F("value")), default=None)),
            latest_q=Sum(Case(When(sup_q=False, then=F("value")), default=None)),
        )
        .order_by("metric__order", "metric__label", "metric_id", "p_year", "p_quarter")
    )
    return _fold_dashboard(rows)


def dashboard_figures_from_rollup(**filter_kwargs) -> dict:
    """`dashboard_figures` read from the rollup's segment level (grants.impact.rollup): the same figures, summed from
    the per-segment rows (round, fund, organisation type, neighbourhood; about a thousand at 20,000 reports) with the
    "latest" rule already applied for the window the period filters ask for. One query."""
    year, quarter = filter_kwargs.get("year"), filter_kwargs.get("quarter")
    if year and quarter:
        latest = "latest_in_quarter"
    elif year:
        latest = "latest_in_year"
    elif quarter:
        latest = "latest_in_quarter_number"
    else:
        latest = "latest"
    lookups = {
        "report__award__round": "round",
        "report__award__fund": "fund",
        "report__period_end__year": "year",
        "report__period_end__quarter": "quarter",
        "report__award__organisation__neighbourhood": "org_neighbourhood",
        "report__award__organisation__org_type": "org_type",
    }
    filters = {lookups[key]: value for key, value in report_filters(**filter_kwargs).items()}
    rows = (
        MetricRollupSegment.objects.filter(metric__kind__in=Metric.NUMERIC_KINDS, **filters)
        .annotate(p_year=F("year"), p_quarter=F("quarter"), nbh=F("neighbourhood__name"))
        .values("p_year", "p_quarter", "org_type", "nbh", *METRIC_FIELDS)
        .annotate(s=Sum("total"), n=Sum("count"), latest_all=Sum(latest), latest_q=Sum("latest_in_quarter"))
        .order_by("metric__order", "metric__label", "metric_id", "p_year", "p_quarter")
    )
    return _fold_dashboard(rows)


def _fold_dashboard(rows) -> dict:
    """Fold rows grouped by quarter, organisation type, breakdown neighbourhood and metric (s, n, latest_all, latest_q)
    into totals, the quarterly trend, per-type totals and the neighbourhood breakdown."""

    def blank(row):
        return {
            "metric_id": row["metric_id"],
            "key": row["metric__key"],
            "label": row["metric__label"],
            "unit": row["metric__unit"],
            "aggregation": row["metric__aggregation"],
            "kind": row["metric__kind"],
            "s": Decimal(0),
            "n": 0,
            "latest": Decimal(0),
        }

    totals, trend_cells, by_type, breakdown = {}, {}, {}, {}
    for row in rows:
        key = row["metric__key"]
        if row["nbh"] is not None:
            if row["metric__aggregation"] == Metric.Aggregation.SUM:
                cell = breakdown.setdefault(
                    (row["nbh"], key),
                    {"neighbourhood": row["nbh"], "key": key, "label": row["metric__label"], "total": Decimal(0)},
                )
                cell["total"] += row["s"] or 0
            continue
        for store, group_key, latest in (
            (totals, key, row["latest_all"]),
            (trend_cells, (key, row["p_year"], row["p_quarter"]), row["latest_q"]),
            (by_type, (row["org_type"], key), row["latest_all"]),
        ):
            cell = store.setdefault(group_key, blank(row))
            cell["s"] += row["s"] or 0
            cell["n"] += row["n"]
            cell["latest"] += latest or 0

    def finish(cell):
        if cell["aggregation"] == Metric.Aggregation.AVERAGE:
            value = cell["s"] / cell["n"] if cell["n"] else Decimal(0)
        elif cell["aggregation"] == Metric.Aggregation.LATEST:
            value = cell["latest"]
        else:
            value = cell["s"]
        return {k: v for k, v in cell.items() if k not in ("s", "n", "latest")} | {
            "total": Decimal(value).quantize(CENT),
            "reports": cell["n"],
        }

    trend_series = {}
    for (key, year, quarter), cell in sorted(trend_cells.items(), key=lambda item: (item[0][1], item[0][2])):
        done = finish(cell)
        series = trend_series.setdefault(
            key,
            {
                "key": key,
                "label": done["label"],
                "unit": done["unit"],
                "aggregation": done["aggregation"],
                "points": [],
            },
        )
        series["points"].append((f"{year} Q{quarter}", done["total"]))
    order = list(totals)
    return {
        "totals": [finish(cell) for cell in totals.values()],
        "trend": {key: trend_series[key] for key in order if key in trend_series},
        "by_type": sorted(
            ({**finish(cell), "group": group} for (group, _k), cell in by_type.items()),
            key=lambda r: (r["group"], order.index(r["key"])),
        ),
        "neighbourhoods": [{**c, "total": c["total"].quantize(CENT)} for _k, c in sorted(breakdown.items())],
    }
