"""The project's URLs with public pages under language prefixes (/es/..., /fr/...; English unprefixed), as Django's
i18n_patterns and Wagtail's "Internationalisation" docs set them up. When portal/urls.py already uses i18n_patterns,
this is simply portal/urls.py."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.urls.resolvers import LocalePrefixPattern
from wagtail import urls as wagtail_urls

from portal.urls import handler500 as handler500  # noqa: PLC0414
from portal.urls import urlpatterns as project_patterns

PUBLIC_PAGE_URLCONFS = ("cms.urls", wagtail_urls.__name__)


def _is_public_pages(pattern):
    return getattr(getattr(pattern, "urlconf_name", None), "__name__", None) in PUBLIC_PAGE_URLCONFS


if any(isinstance(getattr(p, "pattern", None), LocalePrefixPattern) for p in project_patterns):
    urlpatterns = list(project_patterns)
else:
    urlpatterns = [p for p in project_patterns if not _is_public_pages(p)] + i18n_patterns(
        path("", include("cms.urls")), path("", include(wagtail_urls)), prefix_default_language=False
    )
