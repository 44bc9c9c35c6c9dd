"""Whole-response caching for public Wagtail pages, answered before any other middleware.

Anonymous GET/HEAD requests without a query string, a session cookie or pending messages are answered from the
cache, keyed by scheme, host, path and language. Everything else (signed-in users, previews, POSTs, filtered lists)
is rendered normally. A hit costs one cache read and the assembly of the stored response, and runs no middleware
(security headers, WhiteNoise, gzip, session, locale, CSRF, auth...): in production `PageCacheWSGI` answers it in
front of Django's handler (portal/wsgi.py); `PageCacheMiddleware`, the FIRST middleware, answers it where requests do
not come through that WSGI application (the test client). So what the middleware would add is stored with the page:

- on a miss, the view (`serve`, or `cached_view` for open data) renders the page and marks the response as storable
  (its key, the generation it was rendered under, its lifetime, its body with a CSRF placeholder);
- the response then goes up through the whole stack, and `PageCacheMiddleware` stores it on the way out with its
  FINAL headers (Content-Security-Policy, HSTS, X-Frame-Options, Permissions-Policy, Referrer-Policy, COOP,
  X-Content-Type-Options, Content-Language, Vary, Cache-Control...), minus what belongs to one response (cookies,
  Content-Length, Content-Encoding, ETag, Date). A hit therefore carries exactly the headers of a fresh render.
  HSTS is only sent over HTTPS, so the scheme is part of the key. A page whose policy carries a CSP nonce is not
  stored (a nonce is for one response); no public page uses one.
- The language is the URL's prefix (/es/, /fr/; none: English), as LocaleMiddleware decides it for i18n_patterns
  with prefix_default_language=False; a page is stored only if it was rendered in that language.
- Requests the stack below would redirect or refuse are never answered here: plain HTTP when SECURE_SSL_REDIRECT is
  on, static and media URLs (WhiteNoise), and hosts outside ALLOWED_HOSTS (no page is ever stored for them).

The cache holds a generation number: publishing or unpublishing a page, saving an alert or an award bumps it (after
commit), which retires every cached page at once. A gift does not: the figures it changes are filled into each cached
page per response (cms/live.py), so the page cache keeps hitting while money flows. Each stored page carries the
generation it was rendered under, so a hit reads the generation and the page in ONE round trip (`get_many`, MGET on
Redis) and serves the page only if they match. A page with live figures is split at them when stored; their cache
keys, remembered per process from the page's previous hit, are read in that same round trip.

Forms on cached pages (the donate form) stay valid: the stored copy has a placeholder instead of the CSRF token,
and each response gets a freshly masked token for the visitor's own CSRF cookie, which is set (Django's
CsrfViewMiddleware, with the CSRF_COOKIE_* settings) as a fresh render sets it.

Browsers and proxies revalidate every time (`Cache-Control: no-cache`): a gift must show within seconds and a
switched-off alert at once, which no max-age allows. Pages without a per-visitor CSRF token carry an ETag (computed
once when stored, unless the page has live figures), so a revisit costs a 304 answered from the cache; a page with a
token is `private` (the token is one visitor's). A page with neither a token nor live figures is also stored gzipped,
so a hit for a client that accepts gzip is never recompressed; other hits are compressed as the stack would
(portal.compression.TextGZipMiddleware).

Lifetimes: pages `CMS_CACHE_SECONDS`, never past the next start or expiry of a site alert; the live figures in them
`CMS_LIVE_CACHE_SECONDS` (4 s: a gift shows within 5 s even where processes do not share a cache). Each process also
keeps the hits it answered for `CMS_PAGE_LOCAL_SECONDS` (production: 1 s; tests: 0, off), so a busy page costs no
cache round trip at all most of the time: retiring pages or figures forgets them at once in the process that did it,
and other processes stop serving a retired page or an old figure at most that long after.

The cache is an accelerator: every call here tolerates a cache that raises (Redis down). Pages then render uncached,
and an invalidation that could not be made is logged, never raised into the transaction that caused it.
"""

import functools
import gzip
import hashlib
import logging
import os
import re
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import quote_etag

from portal.compression import TextGZipMiddleware, is_compressible

from . import generations, live
from . import translation as page_translation

logger = logging.getLogger("cms.cache")

GENERATION_KEY = "cms:pages:generation"
KEY_PREFIX = "cms:page:v2:"  # v2: entries carry the final headers (entries of the old format are never read)
CSRF_PLACEHOLDER = "__cms_csrf_token__"
CSRF_INPUT = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")([^"]*)(")')
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Headers that belong to one response, never stored (Set-Cookie is not a header in Django: response.cookies).
UNSTORED_HEADERS = frozenset({"content-length", "content-encoding", "etag", "date", "x-page-cache", "set-cookie"})
# On a 304 only what describes the body is left out (the middleware would add every other header to it).
NOT_ON_304 = frozenset({"content-type", "content-disposition"})
GZIP_MIN_LENGTH = 200  # as Django's GZipMiddleware
FIGURE_KEYS_MAX = 1024  # pages per process whose live-figure keys are remembered
# Set in request.META (the WSGI environ) once the page cache was read for a request: the generation it read.
LOOKED_UP = "cms.page_cache.generation"

# Django's own CSRF and gzip code, run on a hit as the stack would run it.
_csrf = CsrfViewMiddleware(lambda request: None)
_gzip = TextGZipMiddleware(lambda request: None)
# A byte is kept only below this multiple of 62, so each character is uniform over CSRF_ALLOWED_CHARS.
_UNBIASED = 256 - 256 % len(CSRF_ALLOWED_CHARS)
_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# Cache key of a page -> the keys of its live figures, learnt on its previous hit (read with the page next time).
_figure_keys: dict[str, tuple[str, ...]] = {}
# Hits this process answered in the last CMS_PAGE_LOCAL_SECONDS: key -> (until, what the hit sends).
_recent: dict[str, tuple[float, tuple]] = {}
RECENT_MAX = 256


def page_cache_seconds():
    return int(getattr(settings, "CMS_CACHE_SECONDS", 300))


def invalidate_pages(**_kwargs):
    """Retire every cached page (O(1): bump the generation). Never raises."""
    forget_recent()
    generations.bump(cache, GENERATION_KEY, "cached pages")


def _generation():
    """The current generation, or None when the cache cannot be read (then nothing is served or stored)."""
    return generations.current(cache, GENERATION_KEY, "Page cache")


@functools.cache
def _unserved_prefixes():
    return tuple(url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url and url.startswith("/") and url != "/")


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    cookies = request.COOKIES
    # A session means a signed-in user or pending messages (or a preview): never share such a page.
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False  # SecurityMiddleware redirects it
    return not request.path_info.startswith(_unserved_prefixes())


def path_language(path: str) -> str:
    """The language LocaleMiddleware activates for an anonymous visitor: the URL's prefix, else the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def cache_key(request) -> str:
    scheme = "https" if request.is_secure() else "http"
    raw = f"{scheme}|{request.get_host()}|{request.path}|{path_language(request.path_info)}"
    return f"{KEY_PREFIX}{hashlib.sha1(raw.encode()).hexdigest()}"


# --- A hit ------------------------------------------------------------------------------------------------------------


def cached_response(request):
    """The stored response for this request, or None (then the request goes down the stack and may be stored)."""
    if not is_cacheable_request(request):
        return None
    try:
        key = cache_key(request)
    except DisallowedHost:
        return None  # Django answers it (400) below
    now = time.monotonic()
    remembered = _recent.get(key)
    if remembered is not None and remembered[0] > now:
        content, headers, has_csrf, etag, gzipped = remembered[1]
    else:
        try:
            figure_keys = _figure_keys.get(key, ())
            found = cache.get_many([GENERATION_KEY, key, *figure_keys])  # ONE round trip: generation, page, figures
            generation, entry = found.get(GENERATION_KEY), found.get(key)
            request.META[LOOKED_UP] = generation  # a miss renders under it, without looking up the page again
            if generation is None or entry is None or entry[0] != generation:
                return None
            _generation_stored, texts, figures, headers, has_csrf, etag, gzipped = entry
            if figures:
                keys = tuple(live.cache_keys(figures))
                if keys != figure_keys:
                    if len(_figure_keys) >= FIGURE_KEYS_MAX:
                        _figure_keys.clear()
                    _figure_keys[key] = keys
                content = live.fill(texts, figures, found, asked=figure_keys)
            else:
                content = texts[0]
        except Exception as exc:  # noqa: BLE001
            logger.warning("Page cache unavailable, rendering uncached: %s", exc)
            return None
        _remember(key, now, (content, headers, has_csrf, etag, gzipped))
    if has_csrf:
        _csrf.process_request(request)  # the visitor's CSRF cookie, if it has a valid one
        content = content.replace(CSRF_PLACEHOLDER.encode(), _csrf_token(request).encode())
    response = HttpResponse(content, headers=headers)
    response["X-Page-Cache"] = "hit"
    if not has_csrf:
        response["ETag"] = etag or quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())
        answer = get_conditional_response(request, etag=response["ETag"], response=response)
        if answer is not response:  # 304: with the headers the stack would add to it
            for name, value in headers.items():
                if name.lower() not in NOT_ON_304:
                    answer.headers.setdefault(name, value)
            answer["X-Page-Cache"] = "hit"  # a browser merges it into the copy it keeps showing
            return answer
    if gzipped is not None and ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.content = gzipped
        response["Content-Encoding"] = "gzip"
        response["ETag"] = "W/" + response["ETag"]  # as GZipMiddleware marks a compressed copy
    elif gzipped is None:
        response = _gzip.process_response(request, response)
    if has_csrf:
        response = _csrf.process_response(request, response)  # sets (renews) the visitor's CSRF cookie
    response["Content-Length"] = str(len(response.content))
    return response


def _remember(key, now, hit):
    """Keep a hit in this process for `CMS_PAGE_LOCAL_SECONDS` (0: never): the same page asked for again within that
    time is answered without the cache round trip. What retires pages or figures in this process forgets them at
    once (`forget_recent`); other processes stop serving a retired page at most that long after."""
    seconds = getattr(settings, "CMS_PAGE_LOCAL_SECONDS", 0)
    if seconds <= 0:
        return
    if len(_recent) >= RECENT_MAX:
        _recent.clear()
    _recent[key] = (now + seconds, hit)


def forget_recent() -> None:
    _recent.clear()


def _random_csrf_string():
    """What Django's `_get_new_csrf_string()` makes (32 characters, each uniform over CSRF_ALLOWED_CHARS, from the
    operating system's CSPRNG), from one urandom read instead of one `secrets.choice` call per character: a
    visitor's token on a cached page cost more than the rest of the hit."""
    chars = []
    while len(chars) < CSRF_SECRET_LENGTH:
        chars.extend(CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)] for byte in os.urandom(48) if byte < _UNBIASED)
    return "".join(chars[:CSRF_SECRET_LENGTH])


def _csrf_token(request):
    """`django.middleware.csrf.get_token(request)`, as fast as a hit needs: the visitor's secret (read from their
    cookie by CsrfViewMiddleware.process_request, or a new one), masked afresh, and the cookie marked for (re)sending
    by CsrfViewMiddleware.process_response."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_csrf_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_csrf_string()
    size = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CHAR_INDEX[x] + _CHAR_INDEX[y]) % size] for x, y in zip(secret, mask, strict=True)
    )
    return mask + cipher


# --- A miss: the view marks the response, the middleware stores it with its final headers ---------------------------


class PendingEntry(NamedTuple):
    """What the view knows about a storable response (the middleware adds the final headers)."""

    key: str
    generation: int
    timeout: int
    content: bytes
    has_csrf: bool


def _revalidate(request, response, has_csrf):
    """Cache-Control (and an ETag) for a page the page cache shares."""
    if has_csrf:
        response["Cache-Control"] = "private, no-cache"
        return
    response["Cache-Control"] = "no-cache"
    set_response_etag(response)


def _generation_for(request):
    """The generation a cacheable request's page is rendered under (None: not cacheable, or no cache)."""
    if not is_cacheable_request(request):
        return None
    return request.META.get(LOOKED_UP) or _generation()


def _mark(request, response, generation, timeout, content, has_csrf):
    if getattr(request, "LANGUAGE_CODE", None) != path_language(request.path_info):
        return  # rendered in another language than its URL says: not what the next visitor would get
    response._page_cache_pending = PendingEntry(cache_key(request), generation, timeout, content, has_csrf)
    response["X-Page-Cache"] = "miss"
    _revalidate(request, response, has_csrf)


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
    """Mark a rendered page response for storing if it is safe to share (PageCacheMiddleware stores it)."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    context = getattr(response, "context_data", None) or {}
    page = context.get("page")
    if page is None or getattr(request, "is_preview", False):
        return
    if page.get_view_restrictions().exists():
        return
    content = response.content
    used_token = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    has_csrf = used_token and b"csrfmiddlewaretoken" in content
    if used_token and not has_csrf:
        return  # the visitor's token is somewhere other than a form field: never share it
    if has_csrf:
        content = CSRF_INPUT.sub(lambda m: m.group(1) + CSRF_PLACEHOLDER + m.group(3), content.decode()).encode()
    _mark(request, response, generation, _timeout_for(page), content, has_csrf)


def _entry(generation, content, headers, has_csrf):
    texts, figures = live.split(content) if live.has_live(content) else ((content,), ())
    plain = not has_csrf and not figures
    etag = quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()) if plain else None
    gzipped = None
    if plain and len(content) >= GZIP_MIN_LENGTH and is_compressible(headers.get("Content-Type", "")):
        gzipped = gzip.compress(content, compresslevel=6, mtime=0)
    return (generation, texts, figures, headers, has_csrf, etag, gzipped)


def _store_final(request, response, pending):
    """Store a marked response with the headers the whole stack gave it."""
    if response.status_code != 200 or response.streaming:
        return
    if any(name != settings.CSRF_COOKIE_NAME or not pending.has_csrf for name in response.cookies):
        return  # a cookie other than the visitor's CSRF cookie (a session, a language choice): not shareable
    policies = response.get("Content-Security-Policy", "") + response.get("Content-Security-Policy-Report-Only", "")
    if "'nonce-" in policies:
        return  # a nonce is for one response only
    headers = {name: value for name, value in response.items() if name.lower() not in UNSTORED_HEADERS}
    try:
        cache.set(pending.key, _entry(pending.generation, pending.content, headers, pending.has_csrf), pending.timeout)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Page cache unavailable, page not stored: %s", exc)


def cached_view(seconds: int):
    """Cache a public non-page view (open data) exactly like a page: same key, same generation, so whatever retires
    pages (a published page, an award saved) retires it too, and PageCacheMiddleware answers its hits."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            generation = _generation_for(request)
            response = view(request, *args, **kwargs)
            if (
                generation is not None
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                _mark(request, response, generation, seconds, response.content, False)
            return response

        return wrapped

    return decorator


class PageCacheMiddleware:
    """First in MIDDLEWARE: answers cached public pages before every other middleware (unless PageCacheWSGI, in
    front of Django, already looked), and stores the responses the views marked with the final headers the others
    gave them. It only ever returns what it stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if LOOKED_UP not in request.META:
            hit = cached_response(request)
            if hit is not None:
                return hit
        response = self.get_response(request)
        pending = getattr(response, "_page_cache_pending", None)
        if pending is not None:
            _store_final(request, response, pending)
        return response


class PageCacheWSGI:
    """The WSGI application in front of Django's (portal/wsgi.py): a hit is answered here, without Django's request
    handler (its signals, middleware chain and response machinery); anything else goes to Django unchanged, marked so
    that PageCacheMiddleware does not read the cache again. A hit needs no database, so the request_started and
    request_finished signals (which recycle database connections) are not sent for it; the next request sends them."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            response = cached_response(WSGIRequest(environ))
        except Exception:  # noqa: BLE001 - never worse than no page cache
            logger.exception("Page cache hit failed, rendering instead")
            response = None
        if response is None:
            environ.setdefault(LOOKED_UP, None)
            return self.application(environ, start_response)
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


def serve(request, path):
    """Wagtail's page view behind the cache (mounted in cms/urls.py in front of Wagtail's own pattern)."""
    from wagtail.views import serve as wagtail_serve

    generation = _generation_for(request)
    # An untranslated page falls back to the default language; one reached by another language's path goes to its
    # translation (cms/translation.py).
    route = page_translation.route_with_fallback(request, path)
    language = page_translation.active_language()
    if route is not None and language != page_translation.default_language():
        page = route[0]
        if page.locale.language_code != language:
            localized = page_translation.live_translation(page, language)
            if localized is not None and localized.url and localized.url != request.path:
                return redirect(localized.url)
    response = wagtail_serve(request, path)
    if generation is not None and hasattr(response, "render"):
        response = response.render()
        store_response(request, response, generation)
    return response
