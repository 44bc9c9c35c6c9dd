from allauth.account.adapter import DefaultAccountAdapter
from django.template.loader import render_to_string
from django.urls import reverse

from .net import client_ip
from .sanitize import linkify_text


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        next_url = super().get_login_redirect_url(request)
        return next_url or reverse("portal:dashboard")

    def get_client_ip(self, request):
        """Rate limits key on the client behind TRUSTED_PROXY_COUNT proxies, never on the load balancer."""
        return client_ip(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix, email, context):
        from django.conf import settings

        context = {"FUND_NAME": settings.FUND_NAME, "SITE_URL": settings.SITE_URL, **context}
        return super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """Every account email gets an HTML part too, built from its text part when allauth has no HTML template."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None):
            html = render_to_string("email/account_message.html", {"body_html": linkify_text(message.body)})
            message.attach_alternative(html, "text/html")
        return message
