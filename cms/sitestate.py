"""Per-process copies of the few small rows every page reads: the sites, each site's settings (with its fund), the
default fund and the site alerts that are live or scheduled.

They change rarely. Saving or deleting any of them (a site, site settings, a fund, an alert) bumps a generation kept
in the shared cache (cms/signals.py), on save and again after commit, as the page cache's own generation. Each process
keeps one copy per generation and reads the rows again (four queries) when it moves; publishing pages or recording
gifts and awards does not move it. A request reads the generation once (one cache round trip) and then answers
Wagtail's site lookup, the site settings, the fund and the alert banner from the copy, with no query. Each request
gets its own copies of the model instances, never the shared ones.

When the cache cannot be read (no generation), every read goes to the database as before.
"""

import copy
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.core.cache import cache
from django.db.models import Q
from django.http.request import split_domain_port
from django.utils import timezone
from wagtail.models import Site

from . import generations

logger = logging.getLogger("cms.sitestate")

GENERATION_KEY = "cms:sitestate:generation"
REQUEST_ATTR = "_cms_sitestate"
_lock = threading.Lock()
_current = None


def invalidate(**_kwargs):
    """Every process reads the rows again on its next request. Never raises (the cache is an accelerator)."""
    generations.bump(cache, GENERATION_KEY, "the site state")


def _generation():
    return generations.current(cache, GENERATION_KEY, "Site state")


@dataclass(frozen=True)
class SiteState:
    generation: object
    sites: tuple  # Site instances with their root page (shared: hand out copies)
    site_settings: dict  # site id -> SiteSettings with its fund (shared: hand out copies)
    default_fund: object = None  # the fund marked default, else the first (shared: hand out copies)
    alerts: tuple = field(default=())  # every row of each alert that was live and unexpired when read, with locale

    def site_for(self, hostname, port):
        """Wagtail's `get_site_for_hostname`, over the copy: an exact hostname and port first, then the hostname on
        the default site, then the default site unless exactly one other site has the hostname."""

        def rank(site):
            if site.hostname == hostname and site.port == port:
                return 0
            if site.hostname == hostname and site.is_default_site:
                return 1
            return 2 if site.is_default_site else 3

        sites = sorted((s for s in self.sites if s.hostname == hostname or s.is_default_site), key=rank)
        if not sites:
            return None
        if len(sites) == 1 or rank(sites[0]) in (0, 1):
            return sites[0]
        if rank(sites[0]) == 2:
            return sites[len(sites) == 2]
        return None

    def current_alerts(self, at: datetime) -> list:
        """Alert.objects.current(at), from the copy."""
        rows = [a for a in self.alerts if a.is_current(at)]
        rows.sort(key=lambda a: (a.severity_rank, a.starts_at, a.pk), reverse=True)
        return rows

    def next_alert_change(self, at: datetime):
        """Alert.objects.next_change_after(at), from the copy (an alert expired before the copy was read starts and
        ends before `at`, so leaving it out changes nothing)."""
        moments = [a.starts_at for a in self.alerts if a.live and a.starts_at > at]
        moments += [a.expires_at for a in self.alerts if a.live and a.expires_at and a.expires_at > at]
        return min(moments) if moments else None

    def alert_rows(self, keys, language_code) -> list:
        """The rows of these alerts (translation keys) in one language, as `Alert.objects.filter(...)` would give."""
        return [a for a in self.alerts if a.translation_key in keys and a.locale.language_code == language_code]


def _load(generation) -> SiteState:
    SiteSettings = apps.get_model("cms", "SiteSettings")
    Alert = apps.get_model("cms", "Alert")
    Fund = apps.get_model("fund", "Fund")
    now = timezone.now()
    unexpired = Alert.objects.filter(live=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    # Every row (any language, live or not) of those alerts: which one shows, and in which words, depends on the
    # original's schedule and on the translations (cms/alerts.py).
    alerts = Alert.objects.filter(translation_key__in=unexpired.values("translation_key")).select_related("locale")
    return SiteState(
        generation=generation,
        sites=tuple(Site.objects.select_related("root_page")),
        site_settings={row.site_id: row for row in SiteSettings.objects.select_related("fund")},
        default_fund=Fund.objects.order_by("-is_default", "pk").first(),
        alerts=tuple(alerts),
    )


def current(request=None):
    """The copy for the current generation (loading it if the generation moved), or None without a cache. A request
    keeps the copy it first got, so it reads the generation once."""
    global _current
    if request is not None and hasattr(request, REQUEST_ATTR):
        return getattr(request, REQUEST_ATTR)
    generation = _generation()
    state = None
    if generation is not None:
        state = _current
        if state is None or state.generation != generation:
            # The generation first, then the rows: a change committed meanwhile bumps the generation again (on save
            # and after commit), which retires this copy.
            with _lock:
                state = _current
                if state is None or state.generation != generation:
                    state = _current = _load(generation)
    if request is not None:
        setattr(request, REQUEST_ATTR, state)
    return state


def _own_copy(instance, *relations):
    """A copy of a shared instance for one request, its cached relations copied too (never mutated in common)."""
    mine = copy.copy(instance)
    for name in relations:
        related = instance._state.fields_cache.get(name)
        if related is not None:
            mine._state.fields_cache[name] = copy.copy(related)
    return mine


def prime(request):
    """Answer Wagtail's site lookup and the site settings of this request from the copy (no query). Later calls to
    `Site.find_for_request` and `SiteSettings.for_request` read what this sets."""
    if request is None or hasattr(request, "_wagtail_site"):
        return
    state = current(request)
    if state is None:
        return
    hostname = split_domain_port(request._get_raw_host())[0]  # as Wagtail: no ALLOWED_HOSTS check here
    site = state.site_for(hostname, request.get_port())
    request._wagtail_site = _own_copy(site, "root_page") if site is not None else None
    if site is None:
        return
    SiteSettings = apps.get_model("cms", "SiteSettings")
    attr_name = SiteSettings.get_cache_attr_name()
    found = state.site_settings.get(site.pk)
    if found is not None and not hasattr(request, attr_name):
        mine = _own_copy(found, "fund")
        mine._request = request  # as SiteSettings.for_request does
        setattr(request, attr_name, mine)


def default_fund(request=None):
    """This request's copy of the default fund (the one marked default, else the first), or None without a copy."""
    state = current(request)
    if state is None or state.default_fund is None:
        return None
    return copy.copy(state.default_fund)
