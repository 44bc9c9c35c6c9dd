"""Serving public pages in several content languages.

A page asked for under a language prefix (/es/...) is served in that language when a live translation exists. When it
does not, the visitor gets the page in the fund's default language with a notice saying so, and that content is marked
with its own `lang` (cms/base_page.html). A page reached by its English path under a prefix whose translation has a
translated slug redirects to the translation.

Also here: the hreflang alternates of a page (every live translation plus x-default) and the sitemap, which lists every
language's pages.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import translation
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Locale, Page, Site

from cms import routing, sitestate


def _language(code):
    return (code or settings.LANGUAGE_CODE).split("-")[0].lower()


def active_language():
    return _language(translation.get_language())


def default_language():
    return _language(settings.LANGUAGE_CODE)


def _route(request, root, components):
    try:
        return routing.route(request, root, components)
    except Http404:
        return None


def route_with_fallback(request, path):
    """Route `path` as Wagtail does (in the active language's tree); when that finds nothing and the visitor is not
    using the default language, route it in the default language's tree. The result is stored where Wagtail's serve
    view reads it (Page.route_for_request caches on the request), so Wagtail then serves the fallback page."""
    components = [component for component in path.split("/") if component]
    sitestate.prime(request)  # the site and its settings from the per-process copy: no query
    language = active_language()
    site = Site.find_for_request(request)
    if not hasattr(request, "_wagtail_route_for_request"):
        # The site's root page is the default language's home; another language's tree starts at its live
        # translation (as Wagtail's `root_page.localized`, without looking up the active Locale first). Every page on
        # the way is read in one query (cms/routing.py).
        root = site.root_page if site else None
        if root is not None and language != default_language():
            root = live_translation(root, language) or root
        request._wagtail_route_for_request = _route(request, root, components) if root is not None else None
    result = Page.route_for_request(request, path)
    if result is not None or language == default_language() or site is None:
        return result
    result = _route(request, site.root_page, components)
    request._wagtail_route_for_request = result
    return result


def in_active_language(queryset):
    """Each page of `queryset` (spanning every locale) once: its live translation in the visitor's language when
    there is one, else its default-language version. One query, no extra ones: lists on the home page and index
    pages use it, so a Spanish visitor sees the Spanish cards and the English ones not yet translated."""
    language, default = active_language(), default_language()
    queryset = queryset.select_related("locale")
    if language == default:
        return queryset.filter(locale__language_code=default)
    translated = Page.objects.live().filter(translation_key=OuterRef("translation_key"), locale__language_code=language)
    return queryset.filter(Q(locale__language_code=language) | (Q(locale__language_code=default) & ~Exists(translated)))


def search_scope_in_active_language(queryset):
    """`in_active_language` in a form the search backend can filter on (only the locale and translation key are
    filter fields): pages in the visitor's language, plus default-language pages not yet translated into it."""
    language, default = active_language(), default_language()
    locales = dict(Locale.objects.filter(language_code__in={language, default}).values_list("language_code", "pk"))
    if language == default or language not in locales:
        return queryset.filter(locale_id=locales.get(default))
    untranslated = in_active_language(Page.objects.filter(locale_id=locales[default])).values_list(
        "translation_key", flat=True
    )
    return queryset.filter(
        Q(locale_id=locales[language]) | Q(locale_id=locales[default], translation_key__in=list(untranslated))
    )


def children_in_active_language(model, parent):
    """Live `model` children of `parent` or of any of its translations, each once, in the visitor's language."""
    condition = Q(pk__in=[])
    for root in Page.objects.filter(translation_key=parent.translation_key):
        condition |= model.objects.child_of_q(root)
    return in_active_language(model.objects.live().filter(condition))


def live_translation(page, language):
    """The live translation of `page` in `language`, or None."""
    return (
        Page.objects.live()
        .filter(translation_key=page.translation_key, locale__language_code=language)
        .exclude(pk=page.pk)
        .first()
    )


def page_translations(page):
    """The page and its live translations, with their locales (one query). Translations share their original's
    place in the tree, hence its view restrictions."""
    translations = list(
        Page.objects.live()
        .filter(translation_key=page.translation_key)
        .select_related("locale")
        .order_by("locale__language_code")
    )
    for item in translations:
        if item.pk == page.pk:
            page.locale = item.locale  # so the page's own URLs need no further query
    return translations


def page_alternates(page, request=None, translations=None):
    """[(hreflang, absolute URL)] for each live, public translation of `page` (itself included), then x-default
    (the default language's version, when live)."""
    if translations is None:
        translations = page_translations(page)
    alternates = []
    default_url = None
    for item in translations:
        url = item.get_full_url(request)
        if not url:
            continue
        language = _language(item.locale.language_code)
        alternates.append((language, url))
        if language == default_language():
            default_url = url
    if default_url:
        alternates.append(("x-default", default_url))
    return alternates


class LocalizedSitemap(Sitemap):
    """Wagtail's sitemap, over the site's home page in every language (each translation of the root is its own tree)."""

    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        queryset = Page.objects.none()
        for root in roots:
            queryset = queryset | Page.objects.descendant_of(root, inclusive=True)
        return queryset.live().public().order_by("locale_id", "path").defer_streamfields().specific()


def content_locales():
    """The Locale rows of the configured content languages (created if missing), default language first."""
    locales = []
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        locale, _ = Locale.objects.get_or_create(language_code=code)
        locales.append(locale)
    return locales
