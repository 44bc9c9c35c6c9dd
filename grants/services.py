"""Writes for rounds and applications. Keyword-only arguments, the acting user as `by`, never a request.

Each state change goes through `grants.workflow.application_transition` (row lock, status history, audit entry); the
functions here add their own guards and schedule emails after commit."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.permissions import is_member
from portal.audit import audit
from portal.emails import absolute_url, send_email_on_commit
from portal.money import MoneyInputError, parse_money
from portal.roles import is_program_staff
from portal.tasks import enqueue_on_commit

from . import selectors
from .forms_application import ApplicationStepForm, answers_to_data, localize_questions, split_steps
from .models import (
    Application,
    ApplicationFormVersion,
    ApplicationMessage,
    ApplicationSubmission,
    Attachment,
    DeadlineExtension,
    EligibilityResponse,
    FundingRound,
    ReferenceCounter,
)
from .permissions import can_edit_application, can_manage_applications
from .tasks import submission_confirmation_task
from .uploads import UploadRejected, check_upload, scan_for_viruses
from .workflow import APPLICANT, STAFF, TransitionNotAllowed, application_transition

S = Application.Status
ORGANISATION_SNAPSHOT_FIELDS = [
    "legal_name",
    "operating_name",
    "org_type",
    "country",
    "registration_number",
    "fiscal_sponsor_name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "staff_size",
    "peer_led",
    "culturally_specific",
    "communities_served",
    "mission",
    "website",
    "email",
    "phone",
    "publicly_named",
]


class ApplicationIncomplete(Exception):
    """Submitting found problems. `errors` is a list of (step index, field name, label, message)."""

    def __init__(self, errors):
        super().__init__(_("Please correct the problems below before you submit."))
        self.errors = errors


def _require_staff(user):
    allowed, reason = can_manage_applications(user)
    if not allowed:
        raise PermissionDenied(reason)


def _require_member(user, application):
    allowed, reason = is_member(user, application.organisation)
    if not allowed:
        raise PermissionDenied(reason)


# --- Forms -----------------------------------------------------------------------------------------------------------


def form_publish(*, funding_round: FundingRound, by) -> ApplicationFormVersion | None:
    """Publish the round's questions as a new immutable version, if they changed. Submitted applications keep theirs."""
    _require_staff(by)
    definition = [q.as_definition() for q in funding_round.form_questions.order_by("sort_order", "pk")]
    with transaction.atomic():
        FundingRound.objects.select_for_update().get(pk=funding_round.pk)
        latest = selectors.published_form(funding_round)
        if latest is not None and latest.definition == definition:
            return None
        version = ApplicationFormVersion.objects.create(
            round=funding_round, number=(latest.number + 1) if latest else 1, definition=definition, created_by=by
        )
        audit(funding_round, "grants.form.publish", user=by, data={"version": version.number})
    return version


def _form_snapshot(version: ApplicationFormVersion | None) -> dict:
    if version is None:
        return {"version": 0, "questions": []}
    return {"version": version.number, "questions": version.definition}


# --- Drafts ----------------------------------------------------------------------------------------------------------


def eligibility_record(*, funding_round: FundingRound, by, answers: dict) -> EligibilityResponse:
    """Keep the person's latest eligibility answers for the round ({question id: "yes"/"no"}) to pre-fill their application."""
    clean = {str(pk): answer for pk, answer in answers.items() if answer in ("yes", "no")}
    response, _created = EligibilityResponse.objects.update_or_create(
        user=by, round=funding_round, defaults={"answers": clean, "answered_at": timezone.now()}
    )
    return response


def application_start(*, funding_round: FundingRound, organisation, by, eligibility: dict | None = None) -> Application:
    """Open (or return) the organisation's draft for this round. One live application per organisation and round.

    A new draft starts with what is already known: the organisation profile's answers and the eligibility answers
    (`eligibility`: {question wording: "yes"/"no"}); the applicant can change them."""
    if not is_member(by, organisation)[0]:
        raise PermissionDenied(_("You are not a member of this organisation."))
    existing = (
        Application.objects.filter(round=funding_round, organisation=organisation).exclude(status=S.WITHDRAWN).first()
    )
    if existing is not None:
        return existing
    if not funding_round.is_accepting_applications():
        raise ValidationError(_("This round is not accepting applications."))
    snapshot = _form_snapshot(selectors.published_form(funding_round))
    application = Application.objects.create(
        round=funding_round,
        organisation=organisation,
        created_by=by,
        form_snapshot=snapshot,
        answers=selectors.application_prefill(
            questions=snapshot["questions"], organisation=organisation, eligibility=eligibility
        ),
    )
    audit(application, "grants.application.start", user=by)
    return application


def application_save_draft(*, application: Application, by, answers: dict, basics: dict | None = None) -> Application:
    """Merge the given answers into the draft. Anything typed is kept, valid or not: the check happens at submit."""
    allowed, reason = can_edit_application(by, application)
    if not allowed:
        raise PermissionDenied(reason)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in (S.DRAFT, S.MORE_INFO):
            raise TransitionNotAllowed(_("This application has been submitted and can no longer be changed."))
        fields = ["answers", "updated_at"]
        locked.answers = {**(locked.answers or {}), **answers}
        if locked.status == S.DRAFT:
            # A draft follows the newest published form; answers carry over by their stable ids.
            version = selectors.published_form(locked.round)
            if version is not None and version.number != locked.form_snapshot.get("version"):
                locked.form_snapshot = _form_snapshot(version)
                fields.append("form_snapshot")
        for name, value in (basics or {}).items():
            if name == "requested_amount":
                try:
                    value = parse_money(value) if value not in (None, "") else None
                except MoneyInputError:
                    continue  # not an amount yet: the step form shows the error, the rest is kept
            setattr(locked, name, value if value is not None else (None if name == "requested_amount" else ""))
            fields.append(name)
        locked.save(update_fields=fields)
    for name in ["answers", "form_snapshot", "title", "summary", "requested_amount", "updated_at"]:
        setattr(application, name, getattr(locked, name))
    return locked


def attachment_add(*, application: Application, question_key: str, uploaded, by) -> Attachment:
    """Store an upload under a random name in private storage after checking its content, size and (if set up) viruses."""
    allowed, reason = can_edit_application(by, application)
    if not allowed:
        raise PermissionDenied(reason)
    used = sum(a.size for a in application.attachments.all())
    checked = check_upload(uploaded, already_used=used)
    clean = scan_for_viruses(uploaded)
    attachment = Attachment(
        application=application,
        question_key=question_key,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=uploaded.size,
        uploaded_by=by,
        scan=Attachment.Scan.CLEAN if clean else Attachment.Scan.NOT_SCANNED,
    )
    uploaded.seek(0)
    attachment.file.save("upload", uploaded, save=False)
    attachment.save()
    audit(application, "grants.attachment.add", user=by, data={"name": checked.safe_name, "size": uploaded.size})
    return attachment


def attachment_remove(*, attachment: Attachment, by) -> None:
    allowed, reason = can_edit_application(by, attachment.application)
    if not allowed:
        raise PermissionDenied(reason)
    audit(attachment.application, "grants.attachment.remove", user=by, data={"name": attachment.original_name})
    attachment.file.delete(save=False)
    attachment.delete()


# --- Submitting ------------------------------------------------------------------------------------------------------


def application_check(application: Application) -> list[tuple]:
    """Every problem that stops this application being submitted: (step index, field name, label, message)."""
    questions = application.form_snapshot.get("questions", [])
    attachments = selectors.attachments_by_key(application)
    errors = []
    for index, step in enumerate(split_steps(localize_questions(questions))):
        form = ApplicationStepForm(
            data=answers_to_data(step["questions"], application.answers, application),
            questions=step["questions"],
            answers=application.answers,
            application=application,
            strict=True,
            requested_amount=application.requested_amount,
            include_basics=(index == 0),
            attachments_by_key=attachments,
        )
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                errors.extend((index, name, label, message) for message in messages)
    return errors


def _next_reference(funding_round: FundingRound, at) -> str:
    year = timezone.localtime(at).year
    ReferenceCounter.objects.get_or_create(prefix=funding_round.reference_prefix, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=funding_round.reference_prefix, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{funding_round.reference_prefix}-{year}-{counter.last_number:04d}"


def _organisation_snapshot(organisation) -> dict:
    data = {name: getattr(organisation, name) for name in ORGANISATION_SNAPSHOT_FIELDS}
    data["annual_budget"] = str(organisation.annual_budget) if organisation.annual_budget is not None else None
    data["neighbourhood"] = organisation.neighbourhood.name if organisation.neighbourhood_id else ""
    data["name"] = organisation.name
    # The sponsor as it was at submission: its legal name and registration (or the name typed before sponsors were
    # organisations in the portal).
    data["fiscal_sponsor_name"] = organisation.sponsor_legal_name
    data["fiscal_sponsor_registration"] = organisation.sponsor_registration_number
    return data


def application_submit(*, application: Application, by, language: str | None = None) -> Application:
    """Submit (or resubmit after a request for information): every answer valid, before the deadline (or an extension).

    Allocates the reference number under a lock, freezes the organisation profile and the answers as a submission,
    records the language the form was filled in (`language`, default: the application's), and emails a
    confirmation."""
    _require_member(by, application)
    if application.status not in (S.DRAFT, S.MORE_INFO):
        raise TransitionNotAllowed(_("This application has already been submitted."))
    if not selectors.application_can_be_submitted_now(application):
        raise TransitionNotAllowed(
            _(
                "The deadline for this round has passed, so the application cannot be submitted. "
                "Your draft is kept. Contact us if you need an extension."
            )
        )
    errors = application_check(application)
    if errors:
        raise ApplicationIncomplete(errors)
    action = "resubmit" if application.status == S.MORE_INFO else "submit"
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        now = timezone.now()
        if not locked.reference:
            locked.reference = _next_reference(locked.round, now)
        locked.organisation_snapshot = _organisation_snapshot(locked.organisation)
        language = (language or "").split("-")[0]
        if language in {code for code, _name in settings.LANGUAGES}:
            locked.language = language
        locked.save(update_fields=["reference", "organisation_snapshot", "language", "updated_at"])
        application_transition(application=locked, action=action, by=by, actor=APPLICANT)
        number = locked.submissions.count() + 1
        submission = ApplicationSubmission.objects.create(
            application=locked,
            number=number,
            title=locked.title,
            summary=locked.summary,
            requested_amount=locked.requested_amount,
            answers=locked.answers,
            form_snapshot=locked.form_snapshot,
            organisation_snapshot=locked.organisation_snapshot,
            submitted_by=by,
            submitted_at=now,
            attachments=[
                {"id": a.pk, "key": a.question_key, "name": a.original_name, "size": a.size}
                for a in locked.attachments.all()
            ],
        )
        locked.refresh_from_db()
        # The confirmation carries the PDF copy: the worker renders both (grants.tasks), the request only queues them.
        enqueue_on_commit(submission_confirmation_task, submission.pk)
        if action == "resubmit":
            send_email_on_commit(
                template="grants/application_resubmitted",
                to=_resubmission_recipients(locked),
                context={
                    "reference": locked.reference,
                    "title": locked.title,
                    "organisation": locked.organisation.name,
                    "url": absolute_url(reverse("grants_admin:application_detail", args=[locked.pk])),
                },
            )
    for name in ["reference", "status", "submitted_at", "organisation_snapshot"]:
        setattr(application, name, getattr(locked, name))
    return locked


def _resubmission_recipients(application) -> list[str]:
    """The staff inbox and whoever asked for the information."""
    asked = (
        application.status_changes.filter(action="request_more_info", by__isnull=False)
        .order_by("-at", "-pk")
        .values_list("by__email", flat=True)
        .first()
    )
    return list(dict.fromkeys(e for e in (settings.STAFF_NOTIFICATION_EMAIL, asked) if e))


def application_withdraw(*, application: Application, by, reason: str = "") -> Application:
    _require_member(by, application)
    with transaction.atomic():
        result = application_transition(
            application=application, action="withdraw", by=by, actor=APPLICANT, reason=reason
        )
        if application.reference:
            send_email_on_commit(
                template="grants/application_withdrawn",
                to=[settings.STAFF_NOTIFICATION_EMAIL],
                context={
                    "reference": application.reference,
                    "organisation": application.organisation.name,
                    "reason": reason,
                },
            )
    return result


# --- Screening (program staff) ---------------------------------------------------------------------------------------


def _staff_transition(*, application, action, by, reason="", email_template=None):
    _require_staff(by)
    with transaction.atomic():
        result = application_transition(application=application, action=action, by=by, actor=STAFF, reason=reason)
        if email_template:
            send_email_on_commit(
                template=email_template,
                to=selectors.organisation_contact_emails(application.organisation),
                context={
                    "reference": application.reference,
                    "title": application.title,
                    "round": application.round.title,
                    "organisation": application.organisation.name,
                    "reason": reason,
                    "url": reverse("grants:application_detail", args=[application.pk]),
                },
            )
    return result


def application_request_more_info(*, application: Application, by, reason: str) -> Application:
    """Send the application back to the applicant with a question; they edit and resubmit."""
    return _staff_transition(
        application=application,
        action="request_more_info",
        by=by,
        reason=reason,
        email_template="grants/more_info_requested",
    )


def application_mark_ineligible(*, application: Application, by, reason: str) -> Application:
    """Decline at screening, with the reason the applicant is told."""
    return _staff_transition(
        application=application,
        action="mark_ineligible",
        by=by,
        reason=reason,
        email_template="grants/application_ineligible",
    )


def application_move_to_review(*, application: Application, by) -> Application:
    return _staff_transition(
        application=application, action="move_to_review", by=by, email_template="grants/application_in_review"
    )


def extension_grant(*, application: Application, by, new_deadline: datetime, reason: str) -> DeadlineExtension:
    """Give one application a later deadline than the round's (audited)."""
    _require_staff(by)
    if not reason.strip():
        raise ValidationError(_("Please give a reason."))
    if application.status != S.DRAFT:
        raise TransitionNotAllowed(_("Only a draft application can be given more time."))
    if application.round.closes_at and new_deadline <= application.round.closes_at:
        raise ValidationError(_("The new deadline must be after the round's deadline."))
    with transaction.atomic():
        extension = DeadlineExtension.objects.create(
            application=application, new_deadline=new_deadline, reason=reason, granted_by=by
        )
        audit(
            application,
            "grants.application.extension",
            user=by,
            data={"new_deadline": new_deadline.isoformat(), "reason": reason},
        )
        send_email_on_commit(
            template="grants/extension_granted",
            to=selectors.organisation_contact_emails(application.organisation),
            context={
                "title": application.title,
                "round": application.round.title,
                "new_deadline": new_deadline,
                "url": reverse("grants:application_detail", args=[application.pk]),
            },
        )
    return extension


# --- Messages --------------------------------------------------------------------------------------------------------


def message_post(*, application: Application, by, body: str, internal: bool = False) -> ApplicationMessage:
    """A message on the application's thread. Staff may post internal notes, which applicants never see or get emailed."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a message first."))
    staff = is_program_staff(by)
    if not staff:
        _require_member(by, application)
        internal = False
    with transaction.atomic():
        message = ApplicationMessage.objects.create(
            application=application, author=by, from_staff=staff, internal=internal, body=body
        )
        audit(application, "grants.message.post", user=by, data={"internal": internal})
        if staff and not internal:
            send_email_on_commit(
                template="grants/new_message",
                to=selectors.organisation_contact_emails(application.organisation),
                context={
                    "title": application.title or application.round.title,
                    "reference": application.reference,
                    "body": body,
                    "url": reverse("grants:application_detail", args=[application.pk]),
                },
            )
        elif not staff:
            send_email_on_commit(
                template="grants/new_message_staff",
                to=[settings.STAFF_NOTIFICATION_EMAIL],
                context={
                    "title": application.title,
                    "reference": application.reference or _("draft"),
                    "organisation": application.organisation.name,
                    "body": body,
                    "url": reverse("grants_admin:application_detail", args=[application.pk]),
                },
            )
    return message


__all__ = [
    "ApplicationIncomplete",
    "UploadRejected",
    "application_check",
    "application_mark_ineligible",
    "application_move_to_review",
    "application_request_more_info",
    "application_save_draft",
    "application_start",
    "application_submit",
    "application_withdraw",
    "attachment_add",
    "attachment_remove",
    "eligibility_record",
    "extension_grant",
    "form_publish",
    "message_post",
]
