from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .emails import queue_message
from .i18n import language_for_addresses, supported_language
from .net import client_ip
from .sanitize import linkify_text


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        next_url = super().get_login_redirect_url(request)
        return next_url or reverse("portal:dashboard")

    def save_user(self, request, user, form, commit=True):
        """A person who signs up on the Spanish or French site keeps that language for their emails and PDFs."""
        language = supported_language(translation.get_language())
        if language and language != settings.LANGUAGE_CODE and not user.language:
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request):
        """Rate limits key on the client behind TRUSTED_PROXY_COUNT proxies, never on the load balancer."""
        return client_ip(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix, email, context):
        """As allauth sends it, but handed to the task worker (with retries) instead of sent inside the request, and
        written in the language the account chose (else the one of the page that caused it: a sign-up in Spanish)."""
        request = allauth_context.request
        language = language_for_addresses([email], default="") or translation.get_language() or settings.LANGUAGE_CODE
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "FUND_NAME": settings.FUND_NAME,
            "SITE_URL": settings.SITE_URL,
            **context,
        }
        with translation.override(language):
            queue_message(self.render_mail(template_prefix, email, ctx))

    def render_mail(self, template_prefix, email, context, headers=None):
        """Every account email gets an HTML part too, built from its text part when allauth has no HTML template."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None):
            html = render_to_string(
                "email/account_message.html",
                {
                    "body_html": linkify_text(message.body),
                    "FUND_NAME": settings.FUND_NAME,
                    "SITE_URL": settings.SITE_URL.rstrip("/"),
                },
            )
            message.attach_alternative(html, "text/html")
        return message
