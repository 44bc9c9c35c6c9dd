"""Live figures inside cached pages: a gift refreshes the figures that show it, never the pages around them.

A cached page keeps its live figures (a campaign's progress, the fund's "raised" headline) between markers:

    <!--live:campaign:12-->...progress...<!--/live-->

On every cache hit the figures are filled in from their own small cache entries, one round trip for all of them.
Each figure has a version number; a gift bumps the version of its campaign and fund after commit, which retires only
those figures: the page stays cached, so the page cache keeps hitting while gifts arrive. A figure missing or of an
old version is rendered again (one query) and kept for `CMS_LIVE_CACHE_SECONDS`, which also bounds how stale a
figure can be if a bump was missed (e.g. Redis was down at that moment).

Correctness under races: a reader takes the version before it reads the database, so a figure computed before a gift
committed is stored under the old version and never shown once the gift has bumped it.
"""

import logging
import random
import re

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from fund.models import Campaign, Fund
from portal.money import format_money

from . import selectors

logger = logging.getLogger("cms.cache")

MARKER = re.compile(rb"<!--live:([a-z_]+):(\d+)-->.*?<!--/live-->", re.S)
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
    return format_html("<!--live:{}:{}-->{}<!--/live-->", kind, int(pk), mark_safe(html))  # noqa: S308 - our own render


# --- Versions and the fill-in on a cache hit --------------------------------------------------------------------------


def _version_key(kind, pk):
    return f"{VERSION_PREFIX}{kind}:{pk}"


def _fragment_key(kind, pk, language):
    return f"{FRAGMENT_PREFIX}{kind}:{pk}:{language}"


def bump(kind: str, pk) -> None:
    """Retire one figure everywhere (after commit). Never raises: a missed bump is bounded by the figure's lifetime."""
    if pk is None:
        return
    key = _version_key(kind, pk)
    try:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, random.randint(1, 2**31), None)  # noqa: S311 - not a secret: unlike any version before it
    except Exception as exc:  # noqa: BLE001 - the cache is an accelerator
        logger.warning("Could not refresh live figure %s:%s (cache unavailable: %s)", kind, pk, exc)


def has_live(content: bytes) -> bool:
    return b"<!--live:" in content


def fill_live(content: bytes, language: str) -> bytes:
    """Replace every live figure in a cached page with its current value."""
    wanted = sorted({(m.group(1).decode(), int(m.group(2))) for m in MARKER.finditer(content)})
    wanted = [(kind, pk) for kind, pk in wanted if kind in RENDERERS]
    if not wanted:
        return content
    version_keys = {item: _version_key(*item) for item in wanted}
    fragment_keys = {item: _fragment_key(*item, language) for item in wanted}
    try:
        found = cache.get_many([*version_keys.values(), *fragment_keys.values()])
    except Exception as exc:  # noqa: BLE001 - serve the figures the page was cached with
        logger.warning("Live figures not refreshed (cache unavailable: %s)", exc)
        return content
    fresh = {}
    to_store = {}
    for item in wanted:
        version = found.get(version_keys[item])
        if version is None:
            version = random.randint(1, 2**31)  # noqa: S311
            try:
                if not cache.add(version_keys[item], version, None):
                    version = cache.get(version_keys[item], version)
            except Exception:  # noqa: BLE001 - render it, and keep nothing
                version = None
        stored = found.get(fragment_keys[item])
        if stored is not None and version is not None and stored[0] == version:
            fresh[item] = stored[1]
            continue
        try:
            with translation.override(language or settings.LANGUAGE_CODE):
                html = str(RENDERERS[item[0]](item[1]))
        except Exception as exc:  # noqa: BLE001 - the database is down: keep the figure the page was cached with
            logger.warning("Live figure %s:%s not refreshed: %s", *item, exc)
            continue
        fresh[item] = html
        if version is not None:
            to_store[fragment_keys[item]] = (version, html)
    if to_store:
        try:
            cache.set_many(to_store, live_seconds())
        except Exception as exc:  # noqa: BLE001
            logger.warning("Live figures not stored (cache unavailable: %s)", exc)

    def replace(match):
        item = (match.group(1).decode(), int(match.group(2)))
        if item not in fresh:
            return match.group(0)
        return b"<!--live:%s:%d-->%s<!--/live-->" % (match.group(1), item[1], fresh[item].encode())

    return MARKER.sub(replace, content)
