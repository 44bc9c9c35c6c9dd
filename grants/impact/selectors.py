"""Reads for impact reporting: the grantee's reports, staff lists, and the public figures the cms impact page shows.

Public contract (used by cms):
    public_metric_totals(*, year=None, round=None) -> [{"key", "label", "unit", "total"}]
    public_trend(metric_key) -> [{"period": "2025 Q1", "year", "quarter", "total"}]
    public_stories(limit=6) -> [{"id", "title", "text", "organisation", "photo_url", "photo_alt", "period_end"}]
All aggregated from approved reports only; stories only with consent to publish, from approved reports; an organisation
that asked not to be named is counted but shown as "A community organisation".
"""

from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.selectors import member_organisation_ids

from . import aggregation
from .models import ImpactReport, Metric, MetricValue, RoundMetric, RoundReportQuestion, Story


def report_approved(award, number: int) -> bool:
    """True if the award's report `number` is approved: an on_report_approval tranche waiting on it may be paid."""
    return ImpactReport.objects.filter(award=award, number=number, status=ImpactReport.Status.APPROVED).exists()


def organisation_has_overdue_reports(organisation, *, today=None) -> bool:
    return ImpactReport.objects.filter(award__organisation=organisation).overdue(today).exists()


# What a list of reports never shows of their grant's application (only its reference): its answers and snapshots.
APPLICATION_BULK_FIELDS = ("answers", "form_snapshot", "organisation_snapshot", "summary")


def reports_for_user(user):
    """Reports of every organisation the user belongs to, soonest due first (approved ones last)."""
    org_ids = member_organisation_ids(user)
    return (
        ImpactReport.objects.filter(award__organisation_id__in=org_ids)
        .select_related("award__organisation", "award__application", "award__round")
        .defer(*(f"award__application__{field}" for field in APPLICATION_BULK_FIELDS))
        .annotate(
            done=Case(
                When(status=ImpactReport.Status.APPROVED, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("done", "due_date", "pk")
    )


def reports_needing_action(user):
    return reports_for_user(user).filter(status__in=ImpactReport.EDITABLE_STATUSES)


def report_detail(pk):
    return (
        ImpactReport.objects.select_related("award__organisation", "award__application", "award__round", "requirement")
        .filter(pk=pk)
        .first()
    )


def report_form_spec(report) -> dict:
    """What the form for this report asks: metrics (with required flags and current values) and narrative questions."""
    required = {link.metric_id: link.required for link in RoundMetric.objects.filter(round=report.award.round_id)}
    metrics = list(report.requirement.metrics.all().order_by("order", "label"))
    values = {}
    breakdown = {}
    for v in MetricValue.objects.filter(report=report):
        current = v.text if v.metric.kind == Metric.Kind.TEXT else v.value
        if v.neighbourhood_id is None:
            values[v.metric_id] = current
        else:
            breakdown.setdefault(v.metric_id, {})[v.neighbourhood_id] = v.value
    questions = list(RoundReportQuestion.objects.filter(round=report.award.round_id))
    return {
        "metrics": [(m, required.get(m.pk, False)) for m in metrics],
        "values": values,
        "breakdown": breakdown,
        "questions": questions,
    }


def report_values(report) -> list[MetricValue]:
    return list(
        MetricValue.objects.filter(report=report)
        .select_related("metric", "neighbourhood")
        .order_by("metric__order", "metric__label", "neighbourhood__name")
    )


def staff_reports(*, status=None, round=None, overdue=False):
    qs = ImpactReport.objects.select_related("award__organisation", "award__application", "award__round")
    if overdue:
        qs = qs.overdue()
    elif status:
        qs = qs.filter(status=status)
    if round is not None:
        qs = qs.filter(award__round=round)
    return qs.order_by("due_date", "pk")


def export_rows(**filter_kwargs):
    """Every reported figure (all statuses, so staff can follow up) with the report it belongs to, for CSV/XLSX."""
    filters = aggregation.report_filters(**filter_kwargs)
    return (
        MetricValue.objects.filter(**filters)
        .select_related(
            "report__award__organisation",
            "report__award__round",
            "report__award__application",
            "metric",
            "neighbourhood",
        )
        .order_by(
            "report__award__round__title", "report__award_id", "report__number", "metric__order", "neighbourhood__name"
        )
    )


# ----- public (cms) -----


def public_metric_totals(*, year=None, round=None) -> list[dict]:
    rows = aggregation.metric_totals(year=year, round=round)
    return [{"key": r["key"], "label": r["label"], "unit": r["unit"], "total": r["total"]} for r in rows]


def public_trend(metric_key: str) -> list[dict]:
    series = aggregation.trend().get(metric_key)
    if not series:
        return []
    result = []
    for period, total in series["points"]:
        year, quarter = period.split(" Q")
        result.append({"period": period, "year": int(year), "quarter": int(quarter), "total": total})
    return result


def public_stories(limit: int = 6) -> list[dict]:
    stories = (
        Story.objects.filter(consent_to_publish=True, report__status=ImpactReport.Status.APPROVED)
        .select_related("report__award__organisation")
        .order_by("-report__period_end", "-pk")[:limit]
    )
    result = []
    for story in stories:
        org = story.report.award.organisation
        result.append(
            {
                "id": story.pk,
                "title": story.title,
                "text": story.text,
                "organisation": org.name if org.publicly_named else _("A community organisation"),
                "photo_url": reverse("impact:story_photo", args=[story.pk]) if story.photo else "",
                "photo_alt": story.photo_alt,
                "period_end": story.report.period_end,
            }
        )
    return result


def public_story_with_photo(pk):
    """A story whose photo may be shown publicly: consent given, report approved."""
    return (
        Story.objects.filter(pk=pk, consent_to_publish=True, report__status=ImpactReport.Status.APPROVED)
        .exclude(photo="")
        .first()
    )


def default_report_year():
    return timezone.localdate().year - 1


FIGURES_VERSION_KEY = "impact:figures:version"
FIGURES_TTL = 60 * 60


def figures_version() -> int:
    """A number that changes whenever a report or a reported value is saved or deleted (see apps.py). No query."""
    from django.core.cache import cache

    return cache.get_or_set(FIGURES_VERSION_KEY, 1, None)


def figures_changed(**kwargs):
    """Signal receiver: invalidate every cached dashboard figure at once by moving to a new version."""
    from django.core.cache import cache

    try:
        cache.incr(FIGURES_VERSION_KEY)
    except ValueError:
        cache.set(FIGURES_VERSION_KEY, 2, None)


def _cached(name, compute, filters, *, today=None):
    import hashlib

    from django.core.cache import cache

    raw = f"{figures_version()}:{today or ''}:{name}:" + repr(sorted((k, str(v)) for k, v in filters.items()))
    key = "impact:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute(**filters)
        cache.set(key, value, FIGURES_TTL)
    return value


def dashboard_figures(**filters) -> dict:
    """`aggregation.dashboard_figures`, read from the rollup that every report or value change keeps in step
    (grants.impact.rollup) and cached until such a change (the version moves; no query checks)."""
    return _cached("figures", aggregation.dashboard_figures_from_rollup, filters)


def dashboard_compliance(**filters) -> dict:
    """`aggregation.compliance`, cached like the figures and per day (a report becomes overdue when the date moves)."""
    return _cached("compliance", aggregation.compliance, filters, today=timezone.localdate().isoformat())
