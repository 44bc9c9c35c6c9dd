"""The page cache's hit path stays cheap: one cache round trip for the page, none for the database."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms import cache as page_cache

pytestmark = pytest.mark.django_db

ABOUT = "/about/"


class CountingCache:
    """Counts the calls the page cache makes to its cache (each is one round trip on Redis)."""

    def __init__(self, real):
        self.real = real
        self.reads = []

    def __getattr__(self, name):
        attr = getattr(self.real, name)
        if name in ("get", "get_many", "has_key"):

            def counted(*args, **kwargs):
                self.reads.append(name)
                return attr(*args, **kwargs)

            return counted
        return attr


@pytest.fixture
def counting_cache(monkeypatch):
    counting = CountingCache(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", counting)
    return counting


def test_a_page_cache_hit_reads_the_cache_once_and_never_the_database(site, counting_cache, django_assert_num_queries):
    visitor = Client()
    assert visitor.get(ABOUT)["X-Page-Cache"] == "miss"
    counting_cache.reads.clear()
    with django_assert_num_queries(0):
        response = visitor.get(ABOUT)
    assert response["X-Page-Cache"] == "hit"
    assert counting_cache.reads == ["get_many"]


def test_a_page_stored_under_an_older_generation_is_not_served(site):
    visitor = Client()
    visitor.get(ABOUT)
    assert visitor.get(ABOUT)["X-Page-Cache"] == "hit"
    page_cache.invalidate_pages()
    assert visitor.get(ABOUT)["X-Page-Cache"] == "miss"


def test_losing_the_generation_key_never_brings_back_pages_stored_before(site):
    visitor = Client()
    page_cache.cache.delete(page_cache.GENERATION_KEY)  # a fresh cache: the first generation is made below
    visitor.get(ABOUT)
    page_cache.cache.delete(page_cache.GENERATION_KEY)  # evicted or flushed: the next one must differ
    assert visitor.get(ABOUT)["X-Page-Cache"] == "miss"
    assert visitor.get(ABOUT)["X-Page-Cache"] == "hit"


# Uncached renders: issue 18 asks for at most 10 queries. Today's exact counts, so any added query fails here (lower
# them when you remove one). What they are: routing (every page on the way in one query, the page's own row in a
# second: cms/routing.py), the view restrictions (one query), the page's translations for its hreflang alternates
# (one), then the page's own figures. The site, its settings and fund and the alerts come from each process's copy
# (cms/sitestate.py), kept until one of them changes, so a miss after a publish reads none of them.
ISSUE_18_LIMIT = 10
UNCACHED_QUERY_BUDGET = {
    "/": 10,
    "/campaigns/naloxone-in-every-pocket/": 8,
    "/grants/": 8,
    "/impact/": 9,
    "/stories/": 7,
    "/open-data/grants.json": 1,
}


def test_every_public_budget_is_within_issue_18():
    assert max(UNCACHED_QUERY_BUDGET.values()) <= ISSUE_18_LIMIT


def test_uncached_public_pages_stay_within_their_query_budget(site):
    counts = {}
    for path in UNCACHED_QUERY_BUDGET:
        Client().get(path)  # per-process caches warm, as in a running server
        page_cache.invalidate_pages()
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(path)
        assert response.status_code == 200 and response["X-Page-Cache"] == "miss", path
        counts[path] = len(queries)
    assert counts == UNCACHED_QUERY_BUDGET
