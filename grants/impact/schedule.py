"""An award's report schedule.

The round's reporting plan (`FundingRound.report_every_months`, `report_due_days`, `grant_months` and the round's
metrics) becomes each award's report requirements when the grantee accepts: `report_requirements_from_plan` is that
hand-over, called by `grants.awards.services.award_accept`. Staff may adjust one award's schedule before or after
acceptance (add, move or remove a report); before acceptance the plan is copied onto the award first, so the
adjustment is kept when the grantee accepts. A requirement and its report are always changed together.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.awards.models import Award, Tranche
from grants.awards.permissions import can_manage_awards
from portal.audit import audit

from .models import ImpactReport, Metric, ReportReminder, ReportRequirement, RoundMetric

# A report not yet handed in: staff may still move it.
MOVABLE_STATUSES = (
    ImpactReport.Status.DUE,
    ImpactReport.Status.DRAFT,
    ImpactReport.Status.OVERDUE,
    ImpactReport.Status.CHANGES_REQUESTED,
)
# A report the grantee has not started: staff may remove it.
REMOVABLE_STATUSES = (ImpactReport.Status.DUE, ImpactReport.Status.OVERDUE)


class ScheduleError(Exception):
    """The schedule cannot change this way. The message is shown to staff."""


@dataclass(frozen=True)
class PlannedReport:
    number: int
    period_start: date
    period_end: date
    due_date: date
    final: bool


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def round_metrics(round_) -> list[tuple[Metric, bool]]:
    """(metric, required) the round asks for; a round that chose none asks for every active metric, none required."""
    links = list(RoundMetric.objects.filter(round=round_, metric__active=True).select_related("metric"))
    if links:
        return [(link.metric, link.required) for link in links]
    return [(metric, False) for metric in Metric.objects.filter(active=True)]


def grant_period(award, *, start: date | None = None) -> tuple[date, date]:
    """The award's own period, else `grant_months` of the round's plan from `start` (acceptance; today for a preview)."""
    first = award.period_start or start or timezone.localdate()
    last = award.period_end or add_months(first, award.round.grant_months) - timedelta(days=1)
    return first, max(last, first)


def planned_reports(award, *, start: date | None = None) -> list[PlannedReport]:
    """The reports the round's plan asks of this award: one per period of `report_every_months` across the grant
    period (the last is the final report), or a final report only; each due `report_due_days` after its period."""
    round_ = award.round
    first, last = grant_period(award, start=start)
    periods = []
    if round_.report_every_months:
        period_start = first
        while period_start <= last:
            period_end = min(add_months(period_start, round_.report_every_months) - timedelta(days=1), last)
            periods.append((period_start, period_end))
            period_start = period_end + timedelta(days=1)
    else:
        periods.append((first, last))
    due_days = timedelta(days=round_.report_due_days)
    return [
        PlannedReport(number, p_start, p_end, p_end + due_days, number == len(periods))
        for number, (p_start, p_end) in enumerate(periods, start=1)
    ]


def award_schedule(award) -> list:
    """What the award's reporting schedule is (its requirements) or, while nobody has set it, will be (the plan)."""
    requirements = list(ReportRequirement.objects.filter(award=award).order_by("period_start", "number"))
    return requirements or planned_reports(award)


def _require_staff(user):
    allowed, reason = can_manage_awards(user)
    if not allowed:
        raise PermissionDenied(reason)


def _lock_award(award) -> Award:
    return Award.objects.select_for_update().select_related("round").get(pk=award.pk)


def _copy_plan(award, *, start=None) -> list[ReportRequirement]:
    metrics = [metric for metric, _required in round_metrics(award.round)]
    requirements = []
    for planned in planned_reports(award, start=start):
        requirement = ReportRequirement.objects.create(
            award=award,
            number=planned.number,
            period_start=planned.period_start,
            period_end=planned.period_end,
            due_date=planned.due_date,
            final=planned.final,
        )
        requirement.metrics.set(metrics)
        requirements.append(requirement)
    return requirements


def _report_for(requirement) -> ImpactReport:
    return ImpactReport.objects.create(
        requirement=requirement,
        award_id=requirement.award_id,
        number=requirement.number,
        period_start=requirement.period_start,
        period_end=requirement.period_end,
        due_date=requirement.due_date,
        final=requirement.final,
    )


@transaction.atomic
def report_requirements_from_plan(*, award, by) -> list[ImpactReport]:
    """Hand-over when the grantee accepts: the award's report requirements from its round's reporting plan (unless
    staff already set this award's schedule), and a report due for each. Idempotent: existing reports are kept."""
    award = _lock_award(award)
    requirements = list(ReportRequirement.objects.filter(award=award).order_by("number"))
    if not requirements:
        requirements = _copy_plan(award, start=award.period_start)
    have = set(ImpactReport.objects.filter(award=award).values_list("requirement_id", flat=True))
    created = [_report_for(r) for r in requirements if r.pk not in have]
    if created:
        audit(award, "impact.requirements.generate", user=by, data={"reports": [r.number for r in created]})
    return created


def _ensure_requirements(award):
    """Before acceptance the plan is copied onto the award, so a staff adjustment is what the grantee will get."""
    if not ReportRequirement.objects.filter(award=award).exists():
        _copy_plan(award)


def _mark_final(award):
    """The report covering the latest period is the final report; the award closes only once it is approved."""
    requirements = list(ReportRequirement.objects.filter(award=award).order_by("-period_end", "-number"))
    for index, requirement in enumerate(requirements):
        final = index == 0
        if requirement.final != final:
            ReportRequirement.objects.filter(pk=requirement.pk).update(final=final)
            ImpactReport.objects.filter(requirement=requirement).update(final=final)


def _check_dates(period_start, period_end, due_date):
    if not (period_start and period_end and due_date):
        raise ScheduleError(_("Give the period's start and end and the due date."))
    if period_end < period_start:
        raise ScheduleError(_("The period ends before it starts."))
    if due_date < period_end:
        raise ScheduleError(_("A report cannot be due before its period ends."))


def _open_award(award) -> Award:
    award = _lock_award(award)
    if award.status not in Award.OPEN_STATUSES:
        raise ScheduleError(_("The schedule of a finished award cannot change."))
    return award


@transaction.atomic
def report_schedule_add(*, award, by, period_start, period_end, due_date) -> ReportRequirement:
    """Staff add a report to one award's schedule; after acceptance the grantee sees it at once."""
    _require_staff(by)
    award = _open_award(award)
    _check_dates(period_start, period_end, due_date)
    _ensure_requirements(award)
    number = (ReportRequirement.objects.filter(award=award).aggregate(n=Max("number"))["n"] or 0) + 1
    requirement = ReportRequirement.objects.create(
        award=award, number=number, period_start=period_start, period_end=period_end, due_date=due_date
    )
    requirement.metrics.set([metric for metric, _required in round_metrics(award.round)])
    if award.status == Award.Status.ACCEPTED:
        _report_for(requirement)
    _mark_final(award)
    audit(
        award,
        "impact.schedule.add",
        user=by,
        data={"report": number, "period": [period_start.isoformat(), period_end.isoformat()], "due": str(due_date)},
    )
    return requirement


def _requirement(award, number) -> ReportRequirement:
    _ensure_requirements(award)
    requirement = ReportRequirement.objects.select_for_update().filter(award=award, number=number).first()
    if requirement is None:
        raise ScheduleError(_("This award has no report %(n)s.") % {"n": number})
    return requirement


@transaction.atomic
def report_schedule_move(*, award, number: int, by, period_start, period_end, due_date) -> ReportRequirement:
    """Staff change a report's period or due date while it is not handed in. Reminders start again for the new date."""
    _require_staff(by)
    award = _open_award(award)
    _check_dates(period_start, period_end, due_date)
    requirement = _requirement(award, number)
    report = ImpactReport.objects.select_for_update().filter(requirement=requirement).first()
    if report is not None and report.status not in MOVABLE_STATUSES:
        raise ScheduleError(_("Report %(n)s has been handed in, so its dates stay.") % {"n": requirement.number})
    old = {"period": [str(requirement.period_start), str(requirement.period_end)], "due": str(requirement.due_date)}
    requirement.period_start, requirement.period_end, requirement.due_date = period_start, period_end, due_date
    requirement.save(update_fields=["period_start", "period_end", "due_date"])
    if report is not None:
        report.period_start, report.period_end, report.due_date = period_start, period_end, due_date
        fields = ["period_start", "period_end", "due_date", "updated_at"]
        if report.status == ImpactReport.Status.OVERDUE and due_date >= timezone.localdate():
            report.status = ImpactReport.Status.DRAFT if report.values.exists() else ImpactReport.Status.DUE
            fields.append("status")
        report.save(update_fields=fields)
        # Reminders are counted per due date: the new date gets its own.
        ReportReminder.objects.filter(report=report).delete()
    _mark_final(award)
    audit(
        award,
        "impact.schedule.move",
        user=by,
        data={
            "report": requirement.number,
            "from": old,
            "to": {"period": [str(period_start), str(period_end)], "due": str(due_date)},
        },
    )
    return requirement


@transaction.atomic
def report_schedule_remove(*, award, number: int, by, reason: str = "") -> None:
    """Staff remove a report the grantee has not started. A tranche released by it must be changed first."""
    _require_staff(by)
    award = _open_award(award)
    requirement = _requirement(award, number)
    report = ImpactReport.objects.select_for_update().filter(requirement=requirement).first()
    started = report is not None and (
        report.narrative or report.values.exists() or report.stories.exists() or report.attachments.exists()
    )
    if report is not None and (started or report.status not in REMOVABLE_STATUSES):
        raise ScheduleError(
            _("The grantee has started report %(n)s, so it cannot be removed; move its dates instead.")
            % {"n": requirement.number}
        )
    if Tranche.objects.filter(
        award=award,
        condition=Tranche.Condition.ON_REPORT_APPROVAL,
        report_number=requirement.number,
        status=Tranche.Status.SCHEDULED,
    ).exists():
        raise ScheduleError(
            _("A payment waits for report %(n)s: change that tranche before removing the report.")
            % {"n": requirement.number}
        )
    number = requirement.number
    if report is not None:
        report.delete()
    requirement.delete()
    _mark_final(award)
    audit(award, "impact.schedule.remove", user=by, data={"report": number, "reason": reason})
