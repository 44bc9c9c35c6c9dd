"""Staff screens in the Wagtail admin: impact dashboard (program staff + finance), report review (program staff),
exports and the annual report. Every view checks our own roles: an Editor gets 403."""

import csv
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.spreadsheets import safe_cell

from . import aggregation, charts, selectors, services
from .forms import AnnualReportRequestForm, DashboardFilterForm, ReviewForm
from .models import AnnualReport, ImpactReport, Metric
from .permissions import can_review_reports, can_view_impact_dashboard
from .views import file_response

PAGE_SIZE = 25


def _requires(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            allowed, reason = check(request.user)
            if not allowed:
                # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the admin home).
                return render(request, "403.html", {"reason": reason}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


dashboard_access = _requires(can_view_impact_dashboard)
review_access = _requires(can_review_reports)


@dashboard_access
def dashboard(request):
    """Three queries of our own whatever the number of reports: report values, compliance, equity (+1 for filters)."""
    from applicants.models import Organisation

    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    figures = selectors.dashboard_figures(**filters)
    trend_charts = [
        {
            "series": s,
            "svg": charts.line_chart(
                s["points"],
                title=_("%(label)s by quarter") % {"label": s["label"]},
                unit=s["unit"],
                chart_id=f"trend-{s['key']}",
            ),
        }
        for s in figures["trend"].values()
    ]
    aggregation_labels = dict(Metric.Aggregation.choices)
    totals = [
        {**row, "aggregation_label": aggregation_labels.get(row["aggregation"], row["aggregation"])}
        for row in figures["totals"]
    ]
    type_labels = dict(Organisation.Type.choices)
    for row in figures["by_type"]:
        row["group_label"] = type_labels.get(row["group"], row["group"])
    counts = selectors.dashboard_compliance(**filters)
    return render(
        request,
        "impact/admin/dashboard.html",
        {
            "form": form,
            "totals": totals,
            "trend_charts": trend_charts,
            "by_type": figures["by_type"],
            "neighbourhoods": figures["neighbourhoods"],
            "compliance": counts,
            "equity": aggregation.equity(**filters),
            "compliance_chart": charts.bar_chart(
                [
                    (_("Due"), counts["due"]),
                    (_("Submitted"), counts["submitted"]),
                    (_("Changes requested"), counts["changes_requested"]),
                    (_("Approved"), counts["approved"]),
                    (_("Overdue"), counts["overdue"]),
                ],
                title=_("Reports by status"),
                chart_id="compliance",
            ),
            "query": request.GET.urlencode(),
            "page_title": _("Impact"),
            "header_title": _("Impact dashboard"),
            "header_icon": "view",
        },
    )


@dashboard_access
def annual_report_list(request):
    page = Paginator(AnnualReport.objects.select_related("fund"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/admin/annual_reports.html",
        {
            "page_obj": page,
            "jobs": page.object_list,
            "annual_form": AnnualReportRequestForm(),
            "page_title": _("Annual impact reports"),
            "header_title": _("Annual impact reports"),
            "header_icon": "doc-full",
        },
    )


EXPORT_HEADER = [
    _("Round"),
    _("Award"),
    _("Organisation"),
    _("Organisation type"),
    _("Report"),
    _("Period start"),
    _("Period end"),
    _("Status"),
    _("Metric"),
    _("Unit"),
    _("Neighbourhood"),
    _("Value"),
    _("Text"),
]


def _export_row(v):
    report, org = v.report, v.report.award.organisation
    return [
        safe_cell(x)
        for x in (
            report.award.round.title,
            report.award.reference,
            org.name,
            org.get_org_type_display(),
            report.number,
            report.period_start.isoformat(),
            report.period_end.isoformat(),
            report.get_status_display(),
            v.metric.label,
            v.metric.unit,
            v.neighbourhood.name if v.neighbourhood else "",
            v.value if v.value is not None else "",
            v.text,
        )
    ]


class _Echo:
    def write(self, value):
        return value


@dashboard_access
def export(request):
    form = DashboardFilterForm(request.GET or None)
    rows = selectors.export_rows(**form.filters())
    if request.GET.get("format") == "xlsx":
        from io import BytesIO

        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Impact reports"))
        sheet.append([str(h) for h in EXPORT_HEADER])
        for value in rows.iterator(chunk_size=2000):
            sheet.append(_export_row(value))
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="impact-reports.xlsx"'
        return response
    writer = csv.writer(_Echo())

    def stream():
        yield writer.writerow([str(h) for h in EXPORT_HEADER])
        for value in rows.iterator(chunk_size=2000):
            yield writer.writerow(_export_row(value))

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="impact-reports.csv"'
    return response


@dashboard_access
@require_POST
def annual_report_request_view(request):
    from fund.models import Fund

    form = AnnualReportRequestForm(request.POST)
    fund = Fund.objects.order_by("pk").first()
    if not form.is_valid() or fund is None:
        messages.error(request, _("Choose a year."))
        return redirect("impact_admin:annual_list")
    job = services.annual_report_request(fund=fund, year=form.cleaned_data["year"], by=request.user)
    job.refresh_from_db()
    messages.success(
        request, _("The %(year)s impact report is being built. It appears below when it is ready.") % {"year": job.year}
    )
    return redirect("impact_admin:annual_list")


@dashboard_access
def annual_report_download(request, pk):
    job = get_object_or_404(AnnualReport, pk=pk, status=AnnualReport.Status.DONE)
    return file_response(job.file, content_type="application/pdf", name=f"impact-report-{job.year}.pdf")


STATUS_FILTERS = [("", _("Needs review"))] + [(s.value, s.label) for s in ImpactReport.Status]


@review_access
def report_list(request):
    status = request.GET.get("status", "")
    if status == "":
        reports = selectors.staff_reports(status=ImpactReport.Status.SUBMITTED)
    elif status == ImpactReport.Status.OVERDUE:
        reports = selectors.staff_reports(overdue=True)
    elif status in ImpactReport.Status.values:
        reports = selectors.staff_reports(status=status)
    else:
        reports = selectors.staff_reports()
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/admin/report_list.html",
        {
            "page_obj": page,
            "reports": page.object_list,
            "status": status,
            "status_filters": STATUS_FILTERS,
            "page_title": _("Impact reports"),
            "header_title": _("Impact reports"),
            "header_icon": "doc-full",
        },
    )


def _staff_report_or_404(pk):
    report = selectors.report_detail(pk)
    if report is None:
        raise Http404
    return report


@review_access
def report_detail(request, pk, form=None):
    report = _staff_report_or_404(pk)
    return render(
        request,
        "impact/admin/report_detail.html",
        {
            "report": report,
            "values": selectors.report_values(report),
            "stories": report.stories.all(),
            "attachments": report.attachments.all(),
            "answers": [
                (q.text, (report.answers or {}).get(q.key, "")) for q in selectors.report_form_spec(report)["questions"]
            ],
            "form": form or (ReviewForm() if report.status == ImpactReport.Status.SUBMITTED else None),
            "page_title": str(report),
            "header_title": str(report),
            "header_icon": "doc-full",
        },
    )


@review_access
@require_POST
def report_review(request, pk):
    report = _staff_report_or_404(pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return report_detail(request, pk, form=form)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.impact_report_approve(report=report, by=request.user, comment=form.cleaned_data.get("comment", ""))
            messages.success(request, _("Report approved."))
        else:
            services.impact_report_request_changes(report=report, by=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("The grantee was asked for changes."))
    except (services.ReportError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("impact_admin:report_detail", pk=report.pk)


@review_access
def attachment_download(request, pk, attachment_pk):
    report = _staff_report_or_404(pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    return file_response(attachment.file, content_type=attachment.content_type, name=attachment.original_name)


@review_access
def story_photo(request, pk, story_pk):
    report = _staff_report_or_404(pk)
    story = get_object_or_404(report.stories.exclude(photo=""), pk=story_pk)
    return file_response(story.photo, content_type=story.photo_content_type, name=f"story-{story.pk}", inline=True)
