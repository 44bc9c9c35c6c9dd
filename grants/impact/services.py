"""Every write to impact reporting: requirements, drafts, submission, review, stories, files, reminders, annual report.

Services take keyword-only arguments and the acting user (`by`), lock the report row, check its state, save with
update_fields, audit, and send emails after commit.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.awards.lifecycle import award_close_if_complete, tranches_release_for_report
from grants.awards.models import Award
from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.sanitize import sanitize_rich_text

from . import permissions
from .models import (
    AnnualReport,
    ImpactReport,
    Metric,
    MetricValue,
    ReportAttachment,
    ReportReminder,
    ReportRequirement,
    Story,
)
from .schedule import add_months, round_metrics

REPORT_DUE_AFTER_DAYS = 30
PHOTO_TYPES = ("image/png", "image/jpeg")


class ReportError(Exception):
    """The report cannot change this way. The message is shown to the user."""


def _require(check):
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def _locked(report) -> ImpactReport:
    return ImpactReport.objects.select_for_update().get(pk=report.pk)


def _member_emails(organisation_id) -> list[str]:
    from applicants.models import Membership

    return sorted(
        set(
            Membership.objects.filter(organisation_id=organisation_id, user__is_active=True).values_list(
                "user__email", flat=True
            )
        )
    )


@transaction.atomic
def report_requirements_generate(
    *,
    award,
    by,
    every_months: int = 3,
    due_after_days: int = REPORT_DUE_AFTER_DAYS,
    start: date | None = None,
    end: date | None = None,
) -> list[ImpactReport]:
    """One report per period of `every_months` across the grant period (the last one is the final report), each due
    `due_after_days` after its period ends. Idempotent: numbers that exist are kept as they are."""
    from grants.awards.models import Award

    award = Award.objects.select_for_update().select_related("round").get(pk=award.pk)
    start = start or award.period_start or timezone.localdate(award.offered_at)
    end = end or award.period_end or add_months(start, 12) - timedelta(days=1)
    if end < start:
        raise ReportError(_("The grant period ends before it starts."))
    metrics = [metric for metric, _required in round_metrics(award.round)]
    existing = set(ReportRequirement.objects.filter(award=award).values_list("number", flat=True))
    periods = []
    period_start = start
    while period_start <= end:
        period_end = min(add_months(period_start, every_months) - timedelta(days=1), end)
        periods.append((period_start, period_end))
        period_start = period_end + timedelta(days=1)
    created = []
    for number, (p_start, p_end) in enumerate(periods, start=1):
        if number in existing:
            continue
        final = number == len(periods)
        due = p_end + timedelta(days=due_after_days)
        requirement = ReportRequirement.objects.create(
            award=award, number=number, period_start=p_start, period_end=p_end, due_date=due, final=final
        )
        requirement.metrics.set(metrics)
        created.append(
            ImpactReport.objects.create(
                requirement=requirement,
                award=award,
                number=number,
                period_start=p_start,
                period_end=p_end,
                due_date=due,
                final=final,
            )
        )
    if created:
        audit(award, "impact.requirements.generate", user=by, data={"reports": [r.number for r in created]})
    return created


def _parse_decimal(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None


def validate_metric_value(metric: Metric, value) -> Decimal | str | None:
    """The rules for one figure: counts and money never negative, counts whole, percentages 0-100, yes/no 0 or 1."""
    if metric.kind == Metric.Kind.TEXT:
        return (value or "").strip() or None
    number = _parse_decimal(value)
    if number is None:
        return None
    if number < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": metric.label})
    if metric.kind == Metric.Kind.COUNT and number != number.to_integral_value():
        raise ValidationError(_("%(label)s must be a whole number.") % {"label": metric.label})
    if metric.kind == Metric.Kind.PERCENTAGE and number > 100:
        raise ValidationError(_("%(label)s is a percentage: enter a number from 0 to 100.") % {"label": metric.label})
    if metric.kind == Metric.Kind.YES_NO and number not in (0, 1):
        raise ValidationError(_("%(label)s must be yes or no.") % {"label": metric.label})
    return number


def validate_breakdown(metric: Metric, total, parts: dict) -> None:
    """A neighbourhood breakdown of a summed metric may not add up to more than the total reported."""
    numbers = [p for p in parts.values() if p is not None]
    if not numbers:
        return
    if metric.aggregation == Metric.Aggregation.SUM or metric.kind == Metric.Kind.COUNT:
        if total is None:
            raise ValidationError(_("Give the total for %(label)s before breaking it down.") % {"label": metric.label})
        if sum(numbers) > total:
            raise ValidationError(
                _("The neighbourhood figures for %(label)s add up to more than the total.") % {"label": metric.label}
            )


@transaction.atomic
def impact_report_save(
    *, report, by, values: dict, breakdown: dict | None = None, narrative: str = "", answers: dict | None = None
) -> ImpactReport:
    """Save a draft. `values` maps metric id to a number or text; `breakdown` maps metric id to {neighbourhood id: number}.
    A report past its due date stays overdue until it is submitted."""
    report = _locked(report)
    _require(permissions.can_edit_report(by, report))
    metrics = {m.pk: m for m in report.requirement.metrics.all()}
    cleaned, cleaned_parts, errors = {}, {}, []
    for metric_id, metric in metrics.items():
        try:
            cleaned[metric_id] = validate_metric_value(metric, values.get(metric_id))
            parts = {int(n): validate_metric_value(metric, v) for n, v in (breakdown or {}).get(metric_id, {}).items()}
            if metric.kind != Metric.Kind.TEXT:
                validate_breakdown(metric, cleaned[metric_id], parts)
                cleaned_parts[metric_id] = parts
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    MetricValue.objects.filter(report=report).delete()
    rows = []
    for metric_id, value in cleaned.items():
        if value is None:
            continue
        metric = metrics[metric_id]
        rows.append(
            MetricValue(
                report=report,
                metric=metric,
                **({"text": value} if metric.kind == Metric.Kind.TEXT else {"value": value}),
            )
        )
        for neighbourhood_id, part in cleaned_parts.get(metric_id, {}).items():
            if part is not None:
                rows.append(MetricValue(report=report, metric=metric, neighbourhood_id=neighbourhood_id, value=part))
    MetricValue.objects.bulk_create(rows)
    report.narrative = sanitize_rich_text(narrative)
    report.answers = {str(k): str(v).strip() for k, v in (answers or {}).items() if v not in (None, "")}
    if report.status in ImpactReport.OPEN_STATUSES:
        report.status = ImpactReport.Status.OVERDUE if report.is_overdue() else ImpactReport.Status.DRAFT
    report.save(update_fields=["narrative", "answers", "status", "updated_at"])
    audit(report, "impact.report.save", user=by, data={"values": len(rows)})
    return report


def missing_for_submission(report) -> list[str]:
    """What a report still needs before it can be submitted: required metrics and required narrative answers."""
    from .models import RoundReportQuestion

    missing = []
    required = {m.pk: m for m, req in round_metrics(report.award.round) if req}
    have = set(report.values.filter(neighbourhood__isnull=True).values_list("metric_id", flat=True))
    asked = set(report.requirement.metrics.values_list("pk", flat=True))
    for metric_id, metric in required.items():
        if metric_id in asked and metric_id not in have:
            missing.append(_("A figure for “%(label)s” is required.") % {"label": metric.label})
    for question in RoundReportQuestion.objects.filter(round=report.award.round, required=True):
        if not (report.answers or {}).get(question.key):
            missing.append(_("An answer to “%(q)s” is required.") % {"q": question.text})
    return missing


@transaction.atomic
def impact_report_submit(*, report, by) -> ImpactReport:
    """Hand the report in for review (also a resubmission after changes were requested). Emails staff."""
    report = _locked(report)
    _require(permissions.can_edit_report(by, report))
    missing = missing_for_submission(report)
    if missing:
        raise ValidationError(missing)
    previous = report.status
    report.status = ImpactReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    audit(report, "impact.report.submit", user=by, data={"from": previous})
    send_email_on_commit(
        template="impact/submitted",
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        context={
            "report": report,
            "organisation": report.award.organisation,
            "resubmitted": previous == "changes_requested",
        },
    )
    return report


@transaction.atomic
def impact_report_approve(*, report, by, comment: str = "") -> ImpactReport:
    """Accept a submitted report. Its figures now count in every total; the tranches waiting on it are released
    (grants.awards.lifecycle.tranches_release_for_report) and, if it was the last thing outstanding, the award closes
    (grants.awards.lifecycle.award_close_if_complete)."""
    _require(permissions.can_review_reports(by))
    report = _locked(report)
    if report.status != ImpactReport.Status.SUBMITTED:
        raise ReportError(_("Only a submitted report can be approved."))
    report.status = ImpactReport.Status.APPROVED
    report.reviewed_at = timezone.now()
    report.reviewed_by = by
    report.review_comment = comment.strip()
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    released = tranches_release_for_report(report=report, by=by)
    audit(
        report,
        "impact.report.approve",
        user=by,
        data={"comment": report.review_comment, "tranches_released": [t.pk for t in released]},
    )
    send_email_on_commit(
        template="impact/approved",
        to=_member_emails(report.award.organisation_id),
        context={"report": report, "organisation": report.award.organisation, "released": released},
    )
    award_close_if_complete(award=report.award, by=by)
    return report


@transaction.atomic
def impact_report_request_changes(*, report, by, comment: str) -> ImpactReport:
    """Send a submitted report back to the grantee with comments; they edit and resubmit."""
    _require(permissions.can_review_reports(by))
    if not (comment or "").strip():
        raise ValidationError(_("Say what needs to change."))
    report = _locked(report)
    if report.status != ImpactReport.Status.SUBMITTED:
        raise ReportError(_("Only a submitted report can be sent back for changes."))
    report.status = ImpactReport.Status.CHANGES_REQUESTED
    report.reviewed_at = timezone.now()
    report.reviewed_by = by
    report.review_comment = comment.strip()
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    audit(report, "impact.report.request_changes", user=by, data={"comment": report.review_comment})
    send_email_on_commit(
        template="impact/changes_requested",
        to=_member_emails(report.award.organisation_id),
        context={"report": report, "organisation": report.award.organisation},
    )
    return report


@transaction.atomic
def story_add(*, report, by, title: str, text: str, consent_to_publish: bool, photo=None, photo_alt: str = "") -> Story:
    from grants.uploads import check_upload

    report = _locked(report)
    _require(permissions.can_edit_report(by, report))
    story = Story(
        report=report,
        title=title.strip(),
        text=text.strip(),
        consent_to_publish=bool(consent_to_publish),
        photo_alt=photo_alt.strip(),
        created_by=by,
    )
    if photo:
        checked = check_upload(photo)
        if checked.content_type not in PHOTO_TYPES:
            raise ValidationError(_("A photo must be a PNG or JPEG image."))
        if not story.photo_alt:
            raise ValidationError(_("Describe the photo for people who cannot see it."))
        story.photo_content_type = checked.content_type
        story.photo.save(checked.safe_name, photo, save=False)
    story.full_clean(exclude=["photo"])
    story.save()
    audit(report, "impact.story.add", user=by, data={"story": story.pk, "consent": story.consent_to_publish})
    return story


@transaction.atomic
def attachment_add(*, report, by, uploaded) -> ReportAttachment:
    """Same rules as application files: type checked by content, size limits, random name, private storage."""
    from django.db.models import Sum

    from grants.uploads import check_upload, scan_for_viruses

    report = _locked(report)
    _require(permissions.can_edit_report(by, report))
    used = report.attachments.aggregate(t=Sum("size"))["t"] or 0
    checked = check_upload(uploaded, already_used=used)
    scan_for_viruses(uploaded)
    attachment = ReportAttachment(
        report=report,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=uploaded.size,
        uploaded_by=by,
    )
    attachment.file.save(checked.safe_name, uploaded, save=False)
    attachment.save()
    audit(report, "impact.attachment.add", user=by, data={"name": attachment.original_name})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment, by) -> None:
    report = _locked(attachment.report)
    _require(permissions.can_edit_report(by, report))
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    audit(report, "impact.attachment.remove", user=by, data={"name": name})


def reports_mark_overdue(*, today: date | None = None) -> int:
    """Mark due and draft reports past their due date as overdue (they hold the grantee's payments). Only active
    awards' reports: a terminated award owes nothing more."""
    today = today or timezone.localdate()
    count = 0
    for pk in ImpactReport.objects.filter(
        status__in=ImpactReport.OPEN_STATUSES, due_date__lt=today, award__status=Award.Status.ACCEPTED
    ).values_list("pk", flat=True):
        with transaction.atomic():
            report = ImpactReport.objects.select_for_update().get(pk=pk)
            if report.status not in ImpactReport.OPEN_STATUSES or report.due_date >= today:
                continue
            report.status = ImpactReport.Status.OVERDUE
            report.save(update_fields=["status", "updated_at"])
            audit(report, "impact.report.overdue", user=None, data={"due_date": report.due_date.isoformat()})
            count += 1
    return count


def reminder_kind_for(report, today: date) -> str | None:
    days_left = (report.due_date - today).days
    if days_left < 0:
        return ReportReminder.Kind.OVERDUE
    if days_left == 0:
        return ReportReminder.Kind.DUE
    if days_left <= 3:
        return ReportReminder.Kind.BEFORE_3
    if days_left <= 14:
        return ReportReminder.Kind.BEFORE_14
    return None


def report_reminders_send(*, today: date | None = None) -> int:
    """Email each not-yet-submitted report's organisation 14 and 3 days before the due date, on it, and once overdue.
    Each kind goes out once per report (ReportReminder's unique constraint), however often this runs."""
    today = today or timezone.localdate()
    reports = (
        ImpactReport.objects.filter(
            status__in=(*ImpactReport.OPEN_STATUSES, ImpactReport.Status.OVERDUE),
            due_date__lte=today + timedelta(days=14),
            award__status=Award.Status.ACCEPTED,  # a terminated award owes nothing more
        )
        .select_related("award__organisation", "award__application")
        .prefetch_related("reminders")
    )
    sent = 0
    for report in reports:
        kind = reminder_kind_for(report, today)
        if kind is None or any(r.kind == kind for r in report.reminders.all()):
            continue
        try:
            with transaction.atomic():
                ReportReminder.objects.create(report=report, kind=kind)
                send_email_on_commit(
                    template="impact/reminder",
                    to=_member_emails(report.award.organisation_id),
                    context={
                        "report": report,
                        "organisation": report.award.organisation,
                        "kind": kind,
                        "days_left": (report.due_date - today).days,
                    },
                )
        except IntegrityError:
            continue  # another run sent it a moment ago
        sent += 1
    return sent


@transaction.atomic
def annual_report_request(*, fund, year: int, by) -> AnnualReport:
    """Queue the annual impact report PDF for `year`; the task builds it in the background."""
    from .tasks import annual_report_build_task

    _require(permissions.can_view_impact_dashboard(by))
    job = AnnualReport.objects.create(fund=fund, year=year, requested_by=by)
    audit(job, "impact.annual_report.request", user=by, data={"year": year})
    transaction.on_commit(lambda: annual_report_build_task.enqueue(job.pk))
    return job


def annual_report_build(*, job_id: int) -> AnnualReport | None:
    """Build the PDF for a queued job. Idempotent: a job already done is left alone."""
    from django.core.files.base import ContentFile

    from .pdf import annual_report_pdf

    with transaction.atomic():
        job = AnnualReport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == AnnualReport.Status.DONE:
            return job
        job.status = AnnualReport.Status.RUNNING
        job.save(update_fields=["status"])
    try:
        data = annual_report_pdf(fund=job.fund, year=job.year)
    except Exception as exc:  # the failure is shown to staff; the job can be requested again
        job.status = AnnualReport.Status.FAILED
        job.error = str(exc)[:500]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.file.save(f"impact-report-{job.year}.pdf", ContentFile(data), save=False)
    job.status = AnnualReport.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "finished_at"])
    return job
