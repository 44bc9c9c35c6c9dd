from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from fund.donations.webhooks import stripe_webhook

from . import health, i18n_views, media, security_headers, views

urlpatterns = [
    # First: Stripe may send bursts of events, and every pattern tried before this one is paid on each of them.
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("healthz", health.healthz, name="healthz"),
    path("csp-report/", security_headers.csp_report, name="csp_report"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the fund's icon.
    path("favicon.ico", views.favicon),
    # The language switcher posts here (CSRF-protected); signed-in people keep the choice on their account.
    path("i18n/setlang/", i18n_views.set_language, name="set_language"),
    # The Wagtail admin signs in through allauth (email verification, rate limits, MFA).
    path("admin/login/", views.admin_login_redirect, name="wagtailadmin_login_redirect"),
    path("admin/logout/", RedirectView.as_view(pattern_name="account_logout", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("portal.urls_portal")),
    path("organisations/", include("applicants.urls")),
    path("applications/", include("grants.review.urls_applicant")),
    path("reviews/", include("grants.review.urls")),
    path("awards/", include("grants.awards.urls")),
    path("impact-reports/", include("grants.impact.urls")),
    path("", include("fund.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif media.serves_public_media():
    urlpatterns += media.media_urlpatterns()  # public image renditions only (portal/media.py)

# Public pages carry their language in the URL: English unprefixed, /es/..., /fr/... The portal screens that share
# these modules (the donor portal, an application's pages) answer here too, in the person's language whatever the
# prefix says (portal.i18n.PUBLIC_VIEW_NAMES lists the public ones; PersonLanguageMiddleware does the rest).
urlpatterns += i18n_patterns(
    # The JavaScript strings (static/js/*.js call gettext()): one URL per language, so browsers may cache each a day.
    path("jsi18n/", cache_page(86400, key_prefix="jsi18n")(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("", include("grants.urls")),
    path("", include("fund.donations.urls")),
    path("", include("cms.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler500 = "portal.views.server_error"
