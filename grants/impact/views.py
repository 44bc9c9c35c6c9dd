"""Grantee reporting at /impact-reports/. Only members of the award's organisation see a report: anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants.uploads import UploadRejected
from portal.downloads import download_response

from . import selectors, services
from .forms import AttachmentForm, ReportForm, StoryForm
from .permissions import can_view_report

PAGE_SIZE = 20


def file_response(field_file, *, content_type, name, inline=False):
    """Private files leave only as downloads (photos inline), never sniffed, never scripted."""
    return download_response(field_file, filename=name, content_type=content_type, inline=inline)


def _member_report_or_404(request, pk):
    report = selectors.report_detail(pk)
    if report is None or not can_view_report(request.user, report)[0]:
        raise Http404
    return report


@login_required
def report_list(request):
    page = Paginator(selectors.reports_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/report_list.html",
        {"page_obj": page, "reports": page.object_list, "page_title": _("Impact reports")},
    )


def _neighbourhoods():
    from applicants.models import Neighbourhood

    return Neighbourhood.objects.order_by("name")


REPORT_FORM_ID = "impact-report-form"


@login_required
def report_detail(request, pk):
    report = _member_report_or_404(request, pk)
    spec = selectors.report_form_spec(report)
    form = None
    action = request.POST.get("action", "save")
    if report.is_editable:
        form = ReportForm(request.POST or None, spec=spec, neighbourhoods=_neighbourhoods(), report=report)
        if request.method == "POST" and action in ("story", "file"):
            return _add_story_or_file(request, report, form, action)
        if request.method == "POST" and form.is_valid():
            try:
                _save_figures(request, report, form)
                if action == "submit":
                    services.impact_report_submit(report=report, by=request.user)
                    messages.success(
                        request, _("Thank you: your report was submitted. We will let you know when it is reviewed.")
                    )
                else:
                    messages.success(request, _("Your draft was saved."))
                return redirect("impact:report_detail", pk=report.pk)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect("impact:report_detail", pk=report.pk)
    elif request.method == "POST":
        messages.error(request, _("This report has been submitted and cannot be changed now."))
        return redirect("impact:report_detail", pk=report.pk)
    return _render_detail(request, report, form)


def _save_figures(request, report, form):
    services.impact_report_save(
        report=report,
        by=request.user,
        values=form.values,
        breakdown=form.breakdown,
        narrative=form.cleaned_data.get("narrative", ""),
        answers=form.answers,
    )


def _add_story_or_file(request, report, form, action):
    """ "Add story" and "Upload" are buttons of the report form: the figures typed above are saved as a draft when they
    are valid, and otherwise shown again, as typed, with their errors. Nothing typed is lost either way."""
    story_form = StoryForm(request.POST, request.FILES, prefix="story", form_id=REPORT_FORM_ID)
    attachment_form = AttachmentForm(request.POST, request.FILES, prefix="file", form_id=REPORT_FORM_ID)
    try:
        if form.is_valid():
            try:
                _save_figures(request, report, form)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
        if action == "story" and story_form.is_valid():
            services.story_add(
                report=report,
                by=request.user,
                title=story_form.cleaned_data["title"],
                text=story_form.cleaned_data["text"],
                consent_to_publish=story_form.cleaned_data["consent_to_publish"],
                photo=story_form.cleaned_data.get("photo"),
                photo_alt=story_form.cleaned_data.get("photo_alt", ""),
            )
            messages.success(request, _("Story added."))
            story_form = None
        elif action == "file" and attachment_form.is_valid():
            services.attachment_add(report=report, by=request.user, uploaded=attachment_form.cleaned_data["file"])
            messages.success(request, _("File added."))
            attachment_form = None
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("impact:report_detail", pk=report.pk)
    except (ValidationError, UploadRejected) as exc:
        target = story_form if action == "story" else attachment_form
        target.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
    if (story_form is None or attachment_form is None) and not form.errors:
        return redirect("impact:report_detail", pk=report.pk)
    return _render_detail(
        request,
        report,
        form,
        story_form=story_form if action == "story" else None,
        attachment_form=attachment_form if action == "file" else None,
    )


def _render_detail(request, report, form, story_form=None, attachment_form=None):
    return render(
        request,
        "impact/report_detail.html",
        {
            "report": report,
            "form": form,
            "form_id": REPORT_FORM_ID,
            "values": selectors.report_values(report),
            "stories": report.stories.all(),
            "attachments": report.attachments.all(),
            "story_form": story_form or StoryForm(prefix="story", form_id=REPORT_FORM_ID),
            "attachment_form": attachment_form or AttachmentForm(prefix="file", form_id=REPORT_FORM_ID),
            "page_title": _("Impact report %(n)s") % {"n": report.number},
        },
    )


@login_required
@require_POST
def story_create(request, pk):
    report = _member_report_or_404(request, pk)
    form = StoryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.story_add(
                report=report,
                by=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                consent_to_publish=form.cleaned_data["consent_to_publish"],
                photo=form.cleaned_data.get("photo"),
                photo_alt=form.cleaned_data.get("photo_alt", ""),
            )
            messages.success(request, _("Story added."))
            return redirect("impact:report_detail", pk=report.pk)
        except (ValidationError, UploadRejected, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("impact:report_detail", pk=report.pk)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}".lstrip(": "))
    return redirect("impact:report_detail", pk=report.pk)


@login_required
@require_POST
def attachment_upload(request, pk):
    report = _member_report_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("impact:report_detail", pk=report.pk)
    try:
        services.attachment_add(report=report, by=request.user, uploaded=form.cleaned_data["file"])
        messages.success(request, _("File added."))
    except (UploadRejected, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return redirect("impact:report_detail", pk=report.pk)


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    report = _member_report_or_404(request, pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
        messages.success(request, _("File removed."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("impact:report_detail", pk=report.pk)


@login_required
def attachment_download(request, pk, attachment_pk):
    report = _member_report_or_404(request, pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    return file_response(attachment.file, content_type=attachment.content_type, name=attachment.original_name)


@login_required
def story_photo_member(request, pk, story_pk):
    report = _member_report_or_404(request, pk)
    story = get_object_or_404(report.stories.exclude(photo=""), pk=story_pk)
    return file_response(story.photo, content_type=story.photo_content_type, name=f"story-{story.pk}", inline=True)


def story_photo(request, story_pk):
    """Public: a photo is shown only with consent to publish, from an approved report."""
    story = selectors.public_story_with_photo(story_pk)
    if story is None:
        raise Http404
    return file_response(story.photo, content_type=story.photo_content_type, name=f"story-{story.pk}", inline=True)
