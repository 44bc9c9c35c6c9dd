"""Background work for applications: the confirmation of a submission, with its PDF copy attached.

Rendering the PDF takes longer than the rest of a submit request: at a deadline hundreds of applicants submit within
minutes, so the request only commits the submission and queues this task; the worker renders the PDF and sends the
email (tried again with backoff if the mail server refuses it)."""

from django.urls import reverse
from django_tasks import task

from portal.emails import SEND_ATTEMPTS, build_email, deliver
from portal.tasks import retry_later

from . import selectors
from .models import ApplicationSubmission
from .pdf import application_pdf


def submission_confirmation(submission: ApplicationSubmission) -> dict:
    """The confirmation email of one submission as queued data, with the PDF copy of what was submitted attached."""
    application = submission.application
    return build_email(
        template="grants/application_submitted",
        to=selectors.organisation_contact_emails(application.organisation),
        context={
            "reference": application.reference,
            "title": submission.title,
            "round": application.round.title,
            "organisation": application.organisation.name,
            "resubmitted": submission.number > 1,
            "url": reverse("grants:application_detail", args=[application.pk]),
        },
        attachments=[(f"{application.reference}.pdf", application_pdf(application, submission), "application/pdf")],
    )


@task()
def submission_confirmation_task(submission_id: int, attempt: int = 1):
    submission = (
        ApplicationSubmission.objects.select_related("application__round__fund", "application__organisation")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:  # erased since (retention): nothing to confirm
        return None
    try:
        deliver(submission_confirmation(submission))
    except Exception as exc:
        if retry_later(
            submission_confirmation_task, attempt=attempt, max_attempts=SEND_ATTEMPTS, error=exc, args=(submission_id,)
        ):
            return "retrying"
        raise
    return "sent"
