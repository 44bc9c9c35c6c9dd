"""Whole-response caching for public Wagtail pages.

Anonymous GET/HEAD requests without a query string, a session cookie or pending messages are answered from the
cache, keyed by host, path and language. Everything else (signed-in users, previews, POSTs, filtered lists) is
rendered normally. The cache holds a generation number: publishing or unpublishing a page, saving an alert or an
award bumps it (after commit), which retires every cached page at once. A gift does not: the figures it changes are
filled into each cached page per response (cms/live.py), so the page cache keeps hitting while money flows.
Each stored page carries the generation it was rendered under, so a hit reads the generation and the page in ONE
round trip (`get_many`, MGET on Redis) and serves the page only if they match.

Forms on cached pages (the donate form) stay valid: the stored copy has a placeholder instead of the CSRF token,
and each response gets a freshly masked token for the visitor's own CSRF cookie.

Browsers and proxies revalidate every time (`Cache-Control: no-cache`): a gift must show within seconds and a
switched-off alert at once, which no max-age allows. Pages without a per-visitor CSRF token carry an ETag, so a
revisit costs a 304 answered from the cache; a page with a token is `private` (the token is one visitor's). Such a
page with no live figures is also stored gzipped, so a hit for a client that accepts gzip is never recompressed.

Lifetimes: pages `CMS_CACHE_SECONDS`, never past the next start or expiry of a site alert; the live figures in them
`CMS_LIVE_CACHE_SECONDS` (4 s: a gift shows within 5 s even where processes do not share a cache).

The cache is an accelerator: every call here tolerates a cache that raises (Redis down). Pages then render uncached,
and an invalidation that could not be made is logged, never raised into the transaction that caused it.
"""

import functools
import gzip
import hashlib
import logging
import random
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag

from . import live, translation

logger = logging.getLogger("cms.cache")

GENERATION_KEY = "cms:pages:generation"
KEY_PREFIX = "cms:page:"
CSRF_PLACEHOLDER = "__cms_csrf_token__"
CSRF_INPUT = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")([^"]*)(")')
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
STORED_HEADERS = ("Content-Type", "Content-Language", "Link", "Content-Disposition", "Access-Control-Allow-Origin")


def page_cache_seconds():
    return int(getattr(settings, "CMS_CACHE_SECONDS", 300))


def invalidate_pages(**_kwargs):
    """Retire every cached page (O(1): bump the generation). Never raises."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, _fresh_generation(), None)
    except Exception as exc:  # noqa: BLE001 - the cache is an accelerator
        logger.warning("Could not retire cached pages (cache unavailable: %s)", exc)


def _fresh_generation():
    # Unlike any generation before it, so pages stored before the key was lost (evicted, flushed) never come back.
    return random.randint(1, 2**31)  # noqa: S311 - not a secret


def _generation():
    """The current generation, or None when the cache cannot be read (then nothing is served or stored)."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, _fresh_generation(), None)
            value = cache.get(GENERATION_KEY)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Page cache unavailable, rendering uncached: %s", exc)
        return None
    return value


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    cookies = request.COOKIES
    # A session means a signed-in user or pending messages (or a preview): never share such a page.
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def cache_key(request) -> str:
    language = getattr(request, "LANGUAGE_CODE", "") or ""
    raw = f"{request.get_host()}|{request.path}|{language}"
    return f"{KEY_PREFIX}{hashlib.sha1(raw.encode()).hexdigest()}"


def cached_response(request):
    if not is_cacheable_request(request):
        return None
    try:
        key = cache_key(request)
        found = cache.get_many([GENERATION_KEY, key])  # one round trip: the generation and the page together
        generation, entry = found.get(GENERATION_KEY), found.get(key)
        if generation is None or entry is None or entry[0] != generation:
            return None
        content, headers, has_csrf, gzipped = entry[1:5]
        if live.has_live(content):
            content = live.fill_live(content, getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Page cache unavailable, rendering uncached: %s", exc)
        return None
    if has_csrf:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content, status=200)
    for name, value in headers.items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    response = _revalidate(request, response, has_csrf)
    if (
        gzipped is not None
        and response.status_code == 200
        and ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    ):
        response.content = gzipped
        response["Content-Encoding"] = "gzip"
        response["ETag"] = "W/" + response["ETag"]  # as GZipMiddleware marks a compressed copy
        patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _revalidate(request, response, has_csrf):
    """Cache-Control (and an ETag, answering 304 when it matches) for a page the page cache shares."""
    if has_csrf:
        response["Cache-Control"] = "private, no-cache"
        return response
    response["Cache-Control"] = "no-cache"
    set_response_etag(response)
    answer = get_conditional_response(request, etag=response["ETag"], response=response)
    if answer is not response and response.has_header("X-Page-Cache"):
        answer["X-Page-Cache"] = response["X-Page-Cache"]  # a browser merges it into the copy it keeps showing
    return answer


def _entry(generation, content, headers, has_csrf):
    gzipped = None if has_csrf or live.has_live(content) else gzip.compress(content, compresslevel=6, mtime=0)
    return (generation, content, headers, has_csrf, gzipped)


def _timeout_for(page):
    # Pages with live totals are kept as long as any other: their figures are filled in per response (cms/live.py).
    seconds = page_cache_seconds()
    from cms.models import Alert

    now = timezone.now()
    next_change = Alert.objects.next_change_after(now)
    if next_change is not None:
        seconds = min(seconds, max(1, int((next_change - now).total_seconds()) + 1))
    return seconds


def store_response(request, response, generation):
    """Keep a rendered page response for anonymous visitors if it is safe to share."""
    if response.status_code != 200 or response.streaming or response.has_header("Set-Cookie") or response.cookies:
        return
    context = getattr(response, "context_data", None) or {}
    page = context.get("page")
    if page is None or getattr(request, "is_preview", False):
        return
    if page.get_view_restrictions().exists():
        return
    content = response.content
    has_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) and b"csrfmiddlewaretoken" in content
    if has_csrf:
        content = CSRF_INPUT.sub(lambda m: m.group(1) + CSRF_PLACEHOLDER + m.group(3), content.decode()).encode()
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    _store(cache_key(request), _entry(generation, content, headers, has_csrf), _timeout_for(page))
    response["X-Page-Cache"] = "miss"
    _revalidate(request, response, has_csrf)


def _store(key, entry, timeout):
    try:
        cache.set(key, entry, timeout)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Page cache unavailable, page not stored: %s", exc)


def cached_view(seconds: int):
    """Cache a public non-page view (open data) exactly like a page: same key, same generation, so whatever retires
    pages (a published page, a gift, an award saved) retires it too, and the middleware answers hits early."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            hit = cached_response(request)
            if hit is not None:
                return hit
            cacheable = is_cacheable_request(request)
            generation = _generation() if cacheable else None
            response = view(request, *args, **kwargs)
            if (
                generation is not None
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
                _store(cache_key(request), _entry(generation, response.content, headers, False), seconds)
                response["X-Page-Cache"] = "miss"
                _revalidate(request, response, False)
            return response

        return wrapped

    return decorator


class PageCacheMiddleware:
    """Answer cached public pages before URL resolution and the session, auth, allauth and MFA middleware.

    Optional (cms.cache.serve also answers hits); place it right after CsrfViewMiddleware so the visitor's CSRF
    cookie is still set on cached pages with forms. It only ever returns what `serve` stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return cached_response(request) or self.get_response(request)


def serve(request, path):
    """Wagtail's page view behind the cache (mounted in cms/urls.py in front of Wagtail's own pattern)."""
    from wagtail.views import serve as wagtail_serve

    hit = cached_response(request)
    if hit is not None:
        return hit
    cacheable = is_cacheable_request(request)
    generation = _generation() if cacheable else None
    # An untranslated page falls back to the default language; one reached by another language's path goes to its
    # translation (cms/translation.py).
    route = translation.route_with_fallback(request, path)
    language = translation.active_language()
    if route is not None and language != translation.default_language():
        page = route[0]
        if page.locale.language_code != language:
            localized = translation.live_translation(page, language)
            if localized is not None and localized.url and localized.url != request.path:
                return redirect(localized.url)
    response = wagtail_serve(request, path)
    if generation is not None and hasattr(response, "render"):
        response = response.render()
        store_response(request, response, generation)
    return response
