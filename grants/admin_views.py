"""Staff screening inside the Wagtail admin. Every view checks our own role (program staff): an Editor gets 403."""

import csv
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import keyset
from portal.audit import history_for
from portal.spreadsheets import safe_row

from . import selectors, services
from .forms import ExtensionForm, MessageForm, ReasonForm
from .forms_application import ApplicationStepForm, split_steps
from .forms_staff import ApplicationFilterForm
from .models import Application, Attachment, FundingRound
from .permissions import can_manage_applications
from .workflow import STAFF, TransitionNotAllowed, available_actions

PAGE_SIZE = 20
COUNT_CAP = 1000
EXPORT_COLUMNS = [
    (_("Reference"), lambda a: a.reference or ""),
    (_("Round"), lambda a: a.round_title),
    (_("Organisation"), lambda a: a.organisation.name),
    (_("Organisation type"), lambda a: a.organisation.get_org_type_display()),
    (_("Neighbourhood"), lambda a: a.organisation.neighbourhood.name if a.organisation.neighbourhood else ""),
    (_("Project title"), lambda a: a.title),
    (_("Amount requested"), lambda a: a.requested_amount if a.requested_amount is not None else ""),
    (_("Currency"), lambda a: a.round_currency),
    (_("Status"), lambda a: a.get_status_display()),
    (_("Submitted"), lambda a: timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else ""),
]


def program_staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        allowed, reason = can_manage_applications(request.user)
        if not allowed:
            # A plain 403 (not Wagtail's redirect-with-message), so nothing about the application leaks.
            return render(
                request,
                "grants/admin/forbidden.html",
                {"reason": reason, "page_title": _("Not allowed"), "header_title": _("Not allowed")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


class _Echo:
    def write(self, value):
        return value


def _export_csv(queryset):
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([str(label) for label, _get in EXPORT_COLUMNS])
        for application in queryset.iterator(chunk_size=500):
            yield writer.writerow(safe_row(get(application) for _label, get in EXPORT_COLUMNS))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="applications.csv"'
    return response


def _export_xlsx(queryset):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Applications"))
    sheet.append([str(label) for label, _get in EXPORT_COLUMNS])
    for application in queryset.iterator(chunk_size=500):
        sheet.append(safe_row(get(application) for _label, get in EXPORT_COLUMNS))
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="applications.xlsx"'
    return response


@program_staff_required
def application_list(request):
    form = ApplicationFilterForm(request.GET or None)
    queryset = (
        selectors.staff_applications(**form.selector_kwargs()) if form.is_bound else selectors.staff_applications()
    )
    export = request.GET.get("export")
    if export == "csv":
        return _export_csv(queryset)
    if export == "xlsx":
        return _export_xlsx(queryset)
    order = form.selector_kwargs()["order"] if form.is_bound else "-submitted_at"
    page = keyset.paginate(queryset, selectors.staff_application_keys(order), request.GET, per_page=PAGE_SIZE)
    # Counting every match would read every row: count up to COUNT_CAP and say "more than" beyond it.
    matches = queryset.order_by()[: COUNT_CAP + 1].count()
    return render(
        request,
        "grants/admin/application_list.html",
        {
            "form": form,
            "page_obj": page,
            "applications": page.object_list,
            "count": min(matches, COUNT_CAP),
            "count_capped": matches > COUNT_CAP,
            "query": page.filters_query,
            "page_title": _("Applications"),
            "header_title": _("Applications"),
            "header_icon": "form",
        },
    )


@program_staff_required
def application_detail(request, pk):
    application = selectors.staff_application_detail(pk)
    if application is None:
        raise Http404
    recent = selectors.last_two_submissions(application)
    submission = recent[0] if recent else None
    source = submission or application
    attachments = list(application.attachments.all())
    grouped = {}
    for a in attachments:
        grouped.setdefault(a.question_key, []).append(a)
    return render(
        request,
        "grants/admin/application_detail.html",
        {
            "application": application,
            "submission": submission,
            # Questions in the applicant's language, each with its English wording when they differ.
            "rows": selectors.answer_rows(source.form_snapshot, source.answers, grouped, language=application.language),
            "attachments": attachments,
            "history": application.status_changes.select_related("by"),
            "audit_entries": history_for(application),
            "messages_thread": selectors.visible_messages(application, request.user),
            "message_form": MessageForm(),
            "reason_form": ReasonForm(),
            "extension_form": ExtensionForm(),
            "actions": available_actions(application, STAFF),
            "diff": selectors.submission_diff(application, recent),
            "deadline": selectors.application_deadline(application),
            "page_title": str(application),
            "header_title": str(application),
            "header_icon": "form",
        },
    )


STAFF_SERVICES = {
    "request_more_info": lambda a, by, reason: services.application_request_more_info(
        application=a, by=by, reason=reason
    ),
    "mark_ineligible": lambda a, by, reason: services.application_mark_ineligible(application=a, by=by, reason=reason),
    "move_to_review": lambda a, by, reason: services.application_move_to_review(application=a, by=by),
}


@require_POST
@program_staff_required
def application_act(request, pk, action):
    """Screening actions. Decisions (approve, waitlist, decline after review) belong to the panel screens."""
    application = get_object_or_404(Application.objects.select_related("round", "organisation"), pk=pk)
    service = STAFF_SERVICES.get(action)
    if service is None:
        raise Http404
    try:
        service(application, request.user, request.POST.get("reason", ""))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Done: the application is now %(status)s.") % {"status": application.get_status_display().lower()},
        )
    return redirect("grants_admin:application_detail", pk=pk)


@require_POST
@program_staff_required
def message_create(request, pk):
    application = get_object_or_404(Application.objects.select_related("round", "organisation"), pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        services.message_post(
            application=application,
            by=request.user,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data["internal"],
        )
        messages.success(
            request, _("Internal note saved.") if form.cleaned_data["internal"] else _("Message sent to the applicant.")
        )
    else:
        messages.error(request, _("Write a message first."))
    return redirect(reverse("grants_admin:application_detail", args=[pk]) + "#messages")


@require_POST
@program_staff_required
def extension_create(request, pk):
    application = get_object_or_404(Application.objects.select_related("round", "organisation"), pk=pk)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_grant(application=application, by=request.user, **form.cleaned_data)
        except (ValidationError, TransitionNotAllowed) as exc:
            messages.error(request, getattr(exc, "messages", [str(exc)])[0])
        else:
            messages.success(request, _("Extension granted."))
    else:
        messages.error(request, _("Give a new deadline and a reason."))
    return redirect("grants_admin:application_detail", pk=pk)


@program_staff_required
def attachment_download(request, pk, attachment_pk):
    from .views import attachment_response

    attachment = get_object_or_404(Attachment, pk=attachment_pk, application_id=pk)
    return attachment_response(attachment)


@program_staff_required
def application_pdf(request, pk):
    from .views import _pdf_response

    application = get_object_or_404(Application.objects.select_related("round__fund"), pk=pk)
    submission = selectors.latest_submission(application)
    if submission is None:
        raise Http404
    return _pdf_response(application, submission)


def _preview_steps(definition: list[dict]) -> list[dict]:
    """Every step of a form as an applicant sees it, with every conditional question shown and its condition named."""
    labels = {q["key"]: q["label"] for q in definition}
    steps = []
    for index, step in enumerate(split_steps(definition)):
        form = ApplicationStepForm(questions=step["questions"], answers={}, include_basics=index == 0)
        for field in form.fields.values():
            field.disabled = True
        blocks = []
        for block in form.blocks():
            condition = (block["question"] or {}).get("show_if")
            if condition:
                block["condition"] = _("Shown only if “%(question)s” is answered “%(answer)s”.") % {
                    "question": labels.get(condition["key"], condition["key"]),
                    "answer": condition["value"],
                }
            block["hidden"] = False  # the preview shows every question
            blocks.append(block)
        steps.append({"title": step["title"], "help_text": step["help_text"], "form": form, "blocks": blocks})
    return steps


@program_staff_required
def round_form_preview(request, round_pk):
    """The round's published application form as applicants see it: every step on one page, read-only."""
    funding_round = get_object_or_404(FundingRound, pk=round_pk)
    version = selectors.published_form(funding_round)
    return render(
        request,
        "grants/admin/form_preview.html",
        {
            "round": funding_round,
            "version": version,
            "steps": _preview_steps(version.definition) if version else [],
            "page_title": _("Preview: %(round)s") % {"round": funding_round.title},
            "header_title": _("Preview: %(round)s") % {"round": funding_round.title},
            "header_icon": "view",
        },
    )
