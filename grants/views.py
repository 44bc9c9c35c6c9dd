"""Applicant-facing views: eligibility, the multi-step form with drafts, submit, the application page, messages, files.

Every view that takes an id looks the application up through the user's memberships: anyone else gets a 404."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.selectors import current_organisation, organisations_for_user
from portal.confirm import confirm_page, is_confirmed
from portal.downloads import download_response

from . import eligibility_session, selectors, services
from .forms import EligibilityForm, MessageForm, WithdrawForm
from .forms_application import (
    ApplicationStepForm,
    answers_to_data,
    extract_answers,
    field_name,
)
from .models import FundingRound
from .pdf import application_pdf
from .permissions import can_edit_application, can_manage_applications
from .uploads import UploadRejected
from .workflow import TransitionNotAllowed

ELIGIBLE_SESSION_KEY = "eligible_round_ids"
RESCUE_SESSION_KEY = "draft_rescue"


def _member_application_or_404(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    application = selectors.application_for_member(request.user, pk)
    if application is None:
        raise Http404
    return application


def round_eligibility(request, slug):
    """Public: answer the round's eligibility questions before making an account."""
    funding_round = get_object_or_404(FundingRound.objects.select_related("fund"), slug=slug)
    if funding_round.status == FundingRound.Status.DRAFT and not can_manage_applications(request.user)[0]:
        raise Http404  # a round being prepared is not public yet
    questions = list(funding_round.eligibility_questions.all())
    form = EligibilityForm(request.POST or None, questions=questions)
    failures = None
    if request.method == "POST" and form.is_valid():
        failures = selectors.eligibility_failures(funding_round, form.answers())
        if not failures:
            eligible = set(request.session.get(ELIGIBLE_SESSION_KEY, []))
            eligible.add(funding_round.pk)
            request.session[ELIGIBLE_SESSION_KEY] = sorted(eligible)
            eligibility_session.remember(request, funding_round, form.answers())
            messages.success(request, _("You are eligible to apply."))
            return redirect("grants:application_start", slug=funding_round.slug)
    return render(
        request,
        "grants/eligibility.html",
        {
            "round": funding_round,
            "form": form,
            "failures": failures,
            "accepting": funding_round.is_accepting_applications(),
            "page_title": funding_round.title,
        },
    )


def _is_eligible(request, funding_round) -> bool:
    """Checked in this session, or earlier on the account (answers kept at sign-up or sign-in)."""
    if funding_round.pk in request.session.get(ELIGIBLE_SESSION_KEY, []):
        return True
    if not funding_round.eligibility_questions.exists():
        return True
    response = selectors.eligibility_response(request.user, funding_round)
    if response is None:
        return False
    answers = {int(pk): answer == "yes" for pk, answer in response.answers.items()}
    return not selectors.eligibility_failures(funding_round, answers)


def application_start(request, slug):
    funding_round = get_object_or_404(FundingRound.objects.select_related("fund"), slug=slug)
    if not _is_eligible(request, funding_round):
        return redirect("grants:round_eligibility", slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = current_organisation(request)
    if organisation is None:
        messages.info(request, _("First, tell us about your organisation."))
        return redirect("applicants:organisation_create")
    if request.method == "POST":
        try:
            application = services.application_start(
                funding_round=funding_round,
                organisation=organisation,
                by=request.user,
                eligibility=selectors.eligibility_answers_by_text(
                    funding_round, eligibility_session.answers_for(request, funding_round)
                ),
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("grants:round_eligibility", slug=slug)
        return redirect("grants:application_step", pk=application.pk, step=0)
    return render(
        request,
        "grants/application_start.html",
        {
            "round": funding_round,
            "organisation": organisation,
            "organisations": organisations_for_user(request.user),
            "page_title": _("Apply to %(round)s") % {"round": funding_round.title},
        },
    )


def _step_context(application, steps, index, form, user):
    return {
        "application": application,
        "steps": steps,
        "step": steps[index],
        "step_index": index,
        "is_last": index == len(steps) - 1,
        "form": form,
        "blocks": form.blocks(),
        "deadline": selectors.application_deadline(application),
        "can_submit_now": selectors.application_can_be_submitted_now(application),
        "has_rich_text": any(q["kind"] == "rich_text" for q in steps[index]["questions"]),
        "page_title": steps[index]["title"],
    }


def _save_step(request, application, step, index, data, files):
    """Save what was posted (even with errors) and any files; return the non-strict form for error display."""
    basics = None
    if index == 0:
        basics = {
            name: (data.get(name) or "").strip() for name in ("title", "summary", "requested_amount") if name in data
        }
    services.application_save_draft(
        application=application, by=request.user, answers=extract_answers(step["questions"], data), basics=basics
    )
    file_errors = {}
    for q in step["questions"]:
        if q["kind"] != "file":
            continue
        for uploaded in files.getlist(field_name(q["key"])) if files else []:
            try:
                services.attachment_add(
                    application=application, question_key=q["key"], uploaded=uploaded, by=request.user
                )
            except UploadRejected as exc:
                file_errors[field_name(q["key"])] = str(exc)
    form = ApplicationStepForm(
        data=data,
        questions=step["questions"],
        answers=application.answers,
        application=application,
        strict=False,
        include_basics=(index == 0),
        attachments_by_key=selectors.attachments_by_key(application),
    )
    form.is_valid()
    for name, message in file_errors.items():
        form.add_error(name, message)
    return form


def application_step(request, pk, step):
    if not request.user.is_authenticated:
        if request.method == "POST":
            # The session ran out while they were typing: keep the text in the new session and save it after sign-in.
            request.session[RESCUE_SESSION_KEY] = {
                "application": pk,
                "step": step,
                "data": {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"},
            }
            messages.warning(request, _("You were signed out, but we kept what you typed. Sign in to save it."))
        return redirect_to_login(reverse("grants:application_step", args=[pk, step]))
    application = _member_application_or_404(request, pk)
    steps = selectors.steps_for(application)
    if step >= len(steps):
        raise Http404
    current = steps[step]
    editable = can_edit_application(request.user, application)[0]
    if not editable:
        return redirect("grants:application_detail", pk=application.pk)

    rescue = request.session.get(RESCUE_SESSION_KEY)
    if request.method == "GET" and rescue and rescue.get("application") == application.pk:
        from django.utils.datastructures import MultiValueDict

        del request.session[RESCUE_SESSION_KEY]
        rescued_step = rescue.get("step", step)
        if rescued_step < len(steps):
            _save_step(request, application, steps[rescued_step], rescued_step, MultiValueDict(rescue["data"]), None)
            messages.success(request, _("We saved the changes you made before you were signed out."))
            if rescued_step != step:
                return redirect("grants:application_step", pk=pk, step=rescued_step)

    if request.method == "POST":
        form = _save_step(request, application, current, step, request.POST, request.FILES)
        go = request.POST.get("go", "save")
        if form.errors:
            messages.error(request, _("Your answers are saved, but some need correcting."))
        elif go == "next" and step + 1 < len(steps):
            return redirect("grants:application_step", pk=pk, step=step + 1)
        elif go == "back" and step > 0:
            return redirect("grants:application_step", pk=pk, step=step - 1)
        elif go == "review" or (go == "next" and step + 1 == len(steps)):
            return redirect("grants:application_review", pk=pk)
        else:
            messages.success(request, _("Draft saved at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")})
            return redirect("grants:application_step", pk=pk, step=step)
    else:
        strict = request.GET.get("check") == "1"
        form = ApplicationStepForm(
            data=answers_to_data(current["questions"], application.answers, application) if strict else None,
            initial=_initial(application, current["questions"], step),
            questions=current["questions"],
            answers=application.answers,
            application=application,
            strict=strict,
            requested_amount=application.requested_amount,
            include_basics=(step == 0),
            attachments_by_key=selectors.attachments_by_key(application),
        )
        if strict:
            form.is_valid()
    return render(request, "grants/application_step.html", _step_context(application, steps, step, form, request.user))


def _initial(application, questions, step):
    data = answers_to_data(questions, application.answers, application if step == 0 else None)
    initial = {}
    for key in data:
        values = data.getlist(key)
        initial[key] = (
            values
            if len(values) > 1
            or key.startswith("q_")
            and any(q["kind"] == "multiple_choice" and field_name(q["key"]) == key for q in questions)
            else data.get(key)
        )
    return initial


@require_POST
def application_autosave(request, pk, step):
    """Called by application-form.js every few seconds: saves the step's answers and says when."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {
                "saved": False,
                # Signed in again in another tab, the applicant is told to come back here (see application-form.js).
                "login_url": reverse("account_login") + "?" + urlencode({"next": reverse("portal:signed_in_again")}),
            },
            status=401,
        )
    application = _member_application_or_404(request, pk)
    steps = selectors.steps_for(application)
    if step >= len(steps):
        raise Http404
    try:
        form = _save_step(request, application, steps[step], step, request.POST, None)
    except (PermissionDenied, TransitionNotAllowed):
        return JsonResponse({"saved": False, "error": _("This application can no longer be changed.")}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
            "errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()},
        }
    )


def application_review(request, pk):
    """Check everything, list the problems with links, and submit."""
    application = _member_application_or_404(request, pk)
    if not can_edit_application(request.user, application)[0]:
        return redirect("grants:application_detail", pk=pk)
    # Checking every answer is the costly part of this page: a submit (the deadline surge) checks once, in the service.
    if request.method == "POST":
        try:
            services.application_submit(application=application, by=request.user, language=get_language())
        except services.ApplicationIncomplete as exc:
            errors = exc.errors
            messages.error(request, str(exc))
        except TransitionNotAllowed as exc:
            errors = services.application_check(application)
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Thank you! Your application %(ref)s is submitted. We have emailed you a confirmation.")
                % {"ref": application.reference},
            )
            return redirect("grants:application_detail", pk=pk)
    else:
        errors = services.application_check(application)
    steps = selectors.steps_for(application)
    error_links = [
        {
            "url": reverse("grants:application_step", args=[pk, index]) + f"?check=1#id_{name}",
            "label": label,
            "message": message,
            "step": steps[index]["title"],
        }
        for index, name, label, message in errors
    ]
    return render(
        request,
        "grants/application_review.html",
        {
            "application": application,
            "steps": steps,
            "errors": error_links,
            "rows": selectors.answer_rows(
                application.form_snapshot,
                application.answers,
                selectors.attachments_by_key(application),
                requested_amount=application.requested_amount,
                language=get_language(),
            ),
            "deadline": selectors.application_deadline(application),
            "can_submit_now": selectors.application_can_be_submitted_now(application),
            "page_title": _("Check and submit"),
        },
    )


def application_detail(request, pk):
    application = _member_application_or_404(request, pk)
    submission = selectors.latest_submission(application)
    if submission is not None:
        rows = selectors.answer_rows(
            submission.form_snapshot,
            submission.answers,
            _group(submission.attachments),
            requested_amount=submission.requested_amount,
            language=get_language(),
        )
    else:
        rows = selectors.answer_rows(
            application.form_snapshot,
            application.answers,
            selectors.attachments_by_key(application),
            requested_amount=application.requested_amount,
            language=get_language(),
        )
    return render(
        request,
        "grants/application_detail.html",
        {
            "application": application,
            "submission": submission,
            "rows": rows,
            "attachments": application.attachments.all(),
            "messages_thread": selectors.visible_messages(application, request.user),
            "message_form": MessageForm(applicant=True),
            "withdraw_form": WithdrawForm(),
            "can_edit": can_edit_application(request.user, application)[0],
            "can_withdraw": application.status in ("draft", "submitted", "more_info", "in_review", "waitlisted"),
            "status_text": selectors.plain_status(application),
            "next_step": selectors.next_step_for(application),
            "more_info_reason": application.status_changes.filter(action="request_more_info")
            .order_by("-at")
            .values_list("reason", flat=True)
            .first()
            if application.status == "more_info"
            else "",
            "ineligible_reason": application.status_changes.filter(action="mark_ineligible")
            .order_by("-at")
            .values_list("reason", flat=True)
            .first()
            if application.status == "declined"
            else "",
            "deadline": selectors.application_deadline(application),
            "page_title": application.title or _("Your application"),
        },
    )


def _group(attachments):
    grouped = {}
    for a in attachments:
        grouped.setdefault(a["key"], []).append(a)
    return grouped


def application_pdf_download(request, pk):
    """The PDF copy of exactly what was submitted (the latest submission), for the applicant."""
    application = _member_application_or_404(request, pk)
    submission = selectors.latest_submission(application)
    if submission is None:
        raise Http404
    return _pdf_response(application, submission)


def _pdf_response(application, submission):
    return download_response(
        application_pdf(application, submission),
        filename=f"{application.reference or 'application'}.pdf",
        content_type="application/pdf",
    )


def attachment_response(attachment):
    """Send a stored file as a download that a browser will never render or sniff."""
    return download_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


def attachment_download(request, pk, attachment_pk):
    application = _member_application_or_404(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    return attachment_response(attachment)


@require_POST
def attachment_delete(request, pk, attachment_pk):
    application = _member_application_or_404(request, pk)
    attachment = get_object_or_404(
        application.attachments.select_related("application__organisation"), pk=attachment_pk
    )
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File removed."))
    next_step = request.POST.get("step")
    if next_step and next_step.isdigit():
        return redirect("grants:application_step", pk=pk, step=int(next_step))
    return redirect("grants:application_detail", pk=pk)


@require_POST
def application_withdraw(request, pk):
    """Withdrawing is restated on a confirmation page first: it cannot be undone."""
    application = _member_application_or_404(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid() and not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Withdraw “%(title)s”?") % {"title": application.title or application.reference or ""},
            consequences=[
                _("We stop considering this application for %(round)s. This cannot be undone.")
                % {"round": application.round.title},
                _("Your answers stay here for you to read, but you cannot submit this application again."),
                _("The fund's staff are told, with your reason if you gave one."),
            ],
            action=request.path,
            cancel_url=reverse("grants:application_detail", args=[pk]),
            confirm_label=_("Withdraw the application"),
            danger=True,
        )
    if form.is_valid():
        try:
            services.application_withdraw(application=application, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Your application is withdrawn."))
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
    return redirect("grants:application_detail", pk=pk)


@require_POST
def message_create(request, pk):
    application = _member_application_or_404(request, pk)
    form = MessageForm(request.POST, applicant=True)
    if form.is_valid():
        services.message_post(application=application, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Message sent. We will reply here and by email."))
    else:
        messages.error(request, _("Write a message first."))
    return redirect(reverse("grants:application_detail", args=[pk]) + "#messages")
