"""Live figures inside cached pages: a gift refreshes the figures that show it, never the pages around them.

A cached page keeps its live figures (a campaign's progress, the fund's "raised" headline) between markers that name
the figure and the language it was written in (an untranslated page shown under /es/ keeps its English figures):

    <!--live:campaign:12:en-->...progress...<!--/live-->

The page cache splits a page at its figures once, when it stores it (`split`); on every hit the figures are filled in
from their own small cache entries (`fill`). Their keys (`cache_keys`) are known from the page's previous hit, so the
page cache reads them in the same round trip as the page itself (cms/cache.py). Each figure has a version number; a
gift bumps the version of its campaign and fund after commit, which retires only those figures: the page stays
cached, so the page cache keeps hitting while gifts arrive. A figure missing or of an old version is rendered again
(one query) and kept for `CMS_LIVE_CACHE_SECONDS`, which also bounds how stale a figure can be if a bump was missed
(e.g. Redis was down at that moment).

Correctness under races: a reader takes the version before it reads the database, so a figure computed before a gift
committed is stored under the old version and never shown once the gift has bumped it.
"""

import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from fund.models import Campaign, Fund
from portal.money import format_money

from . import generations, selectors

logger = logging.getLogger("cms.cache")

# kind, pk, the language it was written in (optional), then the figure itself.
MARKER = re.compile(rb"<!--live:([a-z_]+):(\d+)(?::([a-zA-Z@-]+))?-->(.*?)<!--/live-->", re.S)
VERSION_PREFIX = "cms:live:v:"
FRAGMENT_PREFIX = "cms:live:f:"


def live_seconds():
    return int(getattr(settings, "CMS_LIVE_CACHE_SECONDS", 4))


# --- What each kind of figure shows -----------------------------------------------------------------------------------


def _campaign_progress(pk, value=None):
    if value is None:
        campaign = Campaign.objects.select_related("fund").filter(pk=pk).first()
        if campaign is None:
            return ""
        value = selectors.campaign_progress(campaign)
    return render_to_string("cms/includes/progress.html", {"progress": value})


def _fund_raised(pk, value=None):
    if value is None:
        fund = Fund.objects.filter(pk=pk).first()
        value = selectors.money_totals(fund)
    return format_money(value["raised"], value["currency"])


RENDERERS = {"campaign": _campaign_progress, "fund": _fund_raised}


def render_live(kind: str, pk, value=None):
    """The figure wrapped in its markers (used by the {% live %} tag on a fresh render, with the value in hand)."""
    if pk is None:
        return RENDERERS[kind](pk, value) if value is not None else ""
    html = RENDERERS[kind](pk, value)
    language = translation.get_language() or settings.LANGUAGE_CODE
    # noqa below: our own render, and a language code
    return format_html("<!--live:{}:{}:{}-->{}<!--/live-->", kind, int(pk), language, mark_safe(html))  # noqa: S308


# --- Versions and the fill-in on a cache hit --------------------------------------------------------------------------


def _version_key(kind, pk):
    return f"{VERSION_PREFIX}{kind}:{pk}"


def _fragment_key(kind, pk, language):
    return f"{FRAGMENT_PREFIX}{kind}:{pk}:{language}"


def bump(kind: str, pk) -> None:
    """Retire one figure everywhere (after commit). Never raises: a missed bump is bounded by the figure's lifetime."""
    if pk is None:
        return
    generations.bump(cache, _version_key(kind, pk), f"live figure {kind}:{pk}")


def has_live(content: bytes) -> bool:
    return b"<!--live:" in content


def split(content: bytes, language: str = ""):
    """(texts, figures): the page cut at its live figures, done once when it is stored. `figures` is a tuple of
    ((kind, pk, language), html as rendered) in page order; the page is texts[0] + figure 0 + texts[1] + ... (each
    text keeps the markers around the figures, so a filled page is marked as a fresh one)."""
    texts, figures, position = [], [], 0
    for match in MARKER.finditer(content):
        kind = match.group(1).decode()
        if kind not in RENDERERS:
            continue
        item = (kind, int(match.group(2)), (match.group(3) or b"").decode() or language or settings.LANGUAGE_CODE)
        texts.append(content[position : match.start(4)])
        figures.append((item, match.group(4)))
        position = match.end(4)
    texts.append(content[position:])
    return tuple(texts), tuple(figures)


def cache_keys(figures) -> list[str]:
    """Every cache key the fill-in of these figures reads (their versions and fragments), each once."""
    keys = {}
    for (kind, pk, language), _html in figures:
        keys[_version_key(kind, pk)] = None
        keys[_fragment_key(kind, pk, language)] = None
    return list(keys)


def fill(texts, figures, found=None, asked=()) -> bytes:
    """The page with every live figure at its current value. `found` is what the caller already read from the cache
    when it asked for the keys `asked` (cms/cache.py reads the figures' keys with the page when it knows them); the
    keys not asked yet are read here, in one round trip. Never raises: a figure that cannot be refreshed keeps the
    value the page was stored with."""
    found = dict(found or {})
    asked = set(asked)
    wanted = list(dict.fromkeys(item for item, _html in figures))
    missing = [key for key in cache_keys([(item, None) for item in wanted]) if key not in asked]
    if missing:
        try:
            found.update(cache.get_many(missing))
        except Exception as exc:  # noqa: BLE001 - serve the figures the page was cached with
            logger.warning("Live figures not refreshed (cache unavailable: %s)", exc)
            return b"".join(_interleave(texts, [html for _item, html in figures]))
    fresh = {}
    to_store = {}
    for item in wanted:
        kind, pk, language = item
        version_key, fragment_key = _version_key(kind, pk), _fragment_key(kind, pk, language)
        version = found.get(version_key)
        if version is None:
            version = generations.fresh()
            try:
                if not cache.add(version_key, version, None):
                    version = cache.get(version_key, version)
            except Exception:  # noqa: BLE001 - render it, and keep nothing
                version = None
        stored = found.get(fragment_key)
        if stored is not None and version is not None and stored[0] == version:
            fresh[item] = stored[1].encode()
            continue
        try:
            with translation.override(language):
                html = str(RENDERERS[kind](pk))
        except Exception as exc:  # noqa: BLE001 - the database is down: keep the figure the page was cached with
            logger.warning("Live figure %s:%s not refreshed: %s", kind, pk, exc)
            continue
        fresh[item] = html.encode()
        if version is not None:
            to_store[fragment_key] = (version, html)
    if to_store:
        try:
            cache.set_many(to_store, live_seconds())
        except Exception as exc:  # noqa: BLE001
            logger.warning("Live figures not stored (cache unavailable: %s)", exc)
    return b"".join(_interleave(texts, [fresh.get(item, html) for item, html in figures]))


def _interleave(texts, htmls):
    yield texts[0]
    for html, text in zip(htmls, texts[1:], strict=True):
        yield html
        yield text


def fill_live(content: bytes, language: str = "") -> bytes:
    """Replace every live figure in a page with its current value (`language` for markers that do not name one)."""
    texts, figures = split(content, language)
    return fill(texts, figures) if figures else content
