"""Every email has a text and an HTML part rendered from templates/email/<name>.txt and .html.

Emails from services are rendered when asked for and sent by the task worker (`send_email_task`), never inside the
request: the message is queued with the change that caused it (portal.tasks.enqueue_on_commit) and a failed send is
tried again with backoff.
"""

import base64

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from .i18n import language_for_addresses, supported_language
from .tasks import enqueue_on_commit, retry_later

SEND_ATTEMPTS = 8  # about two hours from the first failure to the last attempt


def absolute_url(path: str) -> str:
    """A link for an email or a PDF: the site's configured base URL (settings.SITE_URL, never a hard-coded host or
    port) followed by a path from `reverse()`."""
    return settings.SITE_URL.rstrip("/") + path


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render templates/email/<template>_subject.txt, .txt and .html. Returns (subject, text, html)."""
    ctx = {"FUND_NAME": settings.FUND_NAME, "SITE_URL": settings.SITE_URL.rstrip("/"), **context}
    subject = render_to_string(f"email/{template}_subject.txt", ctx).strip().replace("\n", " ")
    text = render_to_string(f"email/{template}.txt", ctx)
    html = render_to_string(f"email/{template}.html", ctx)
    return subject, text, html


def build_email(*, template: str, to: list[str], context: dict, reply_to=None, attachments=None, language=None) -> dict:
    """The rendered message as plain data (JSON, attachments in base64), ready to queue.

    Written in `language`, else in the language of the recipient's account (portal.i18n.language_for_addresses),
    never in that of whoever caused it to be sent."""
    with translation.override(supported_language(language) or language_for_addresses(to)):
        subject, text, html = render_email(template, context)
    return {
        "subject": subject,
        "text": text,
        "html": html,
        "to": list(to),
        "reply_to": list(reply_to) if reply_to else None,
        "attachments": [
            (name, base64.b64encode(content if isinstance(content, bytes) else content.encode()).decode(), mimetype)
            for name, content, mimetype in attachments or []
        ],
    }


def deliver(message: dict, *, connection=None) -> EmailMultiAlternatives:
    """Hand a built message to the email backend (raises if the backend refuses it); a new connection unless given."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["text"],
        to=message["to"],
        reply_to=message.get("reply_to"),
        connection=connection,
    )
    email.attach_alternative(message["html"], "text/html")
    for name, content, mimetype in message.get("attachments") or []:
        email.attach(name, base64.b64decode(content), mimetype)
    email.send()
    return email


def send_email(*, connection=None, **kwargs):
    """Send now (from a task). Use `send_email_on_commit` from services so a rolled-back change sends nothing.
    A batch passes one open `connection` (django.core.mail.get_connection) for many messages."""
    return deliver(build_email(**kwargs), connection=connection)


@task()
def send_email_task(message: dict, attempt: int = 1):
    try:
        deliver(message)
    except Exception as exc:
        if retry_later(send_email_task, attempt=attempt, max_attempts=SEND_ATTEMPTS, error=exc, args=(message,)):
            return "retrying"
        raise
    return "sent"


def queue_message(message: EmailMultiAlternatives) -> None:
    """Queue an already-built message (allauth's account emails) for the worker. Enqueued at once: with the database
    backend the task row joins the caller's transaction, if any."""
    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    send_email_task.enqueue(
        {
            "subject": message.subject,
            "text": message.body,
            "html": html,
            "to": list(message.to),
            "reply_to": list(message.reply_to) or None,
            "attachments": [],
        }
    )


def send_email_on_commit(**kwargs):
    """Render now; the worker sends it once the caller's transaction has committed (nothing if it rolls back)."""
    enqueue_on_commit(send_email_task, build_email(**kwargs))
