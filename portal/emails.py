"""Every email has a text and an HTML part rendered from templates/email/<name>.txt and .html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


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


def send_email(*, template: str, to: list[str], context: dict, reply_to=None, attachments=None, language=None):
    """Send now. Use `send_email_on_commit` from services so a rolled-back change sends nothing."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, text, html = render_email(template, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    message.send()
    return message


def send_email_on_commit(**kwargs):
    transaction.on_commit(lambda: send_email(**kwargs))
