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


# Uncached renders (issue 18 asks for <= 10; these are today's counts, so any added query fails here).
# Content languages (cms/translation.py) cost one query per page for its hreflang alternates, and one more on an
# index that lists each child once in the visitor's language (issue 15). Issue 18's target is 10: not met yet.
UNCACHED_QUERY_BUDGET = {
    "/": 21,
    "/campaigns/naloxone-in-every-pocket/": 20,
    "/grants/": 17,
    "/impact/": 20,
    "/stories/": 15,
    "/open-data/grants.json": 2,
}


def test_uncached_public_pages_stay_within_their_query_budget(site):
    counts = {}
    for path in UNCACHED_QUERY_BUDGET:
        Client().get(path)  # per-process caches warm, as in a running server
        page_cache.invalidate_pages()
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(path)
        assert response.status_code == 200 and response["X-Page-Cache"] == "miss", path
        counts[path] = len(queries)
    over = {
        path: (count, UNCACHED_QUERY_BUDGET[path])
        for path, count in counts.items()
        if count > UNCACHED_QUERY_BUDGET[path]
    }
    assert not over, f"(queries, budget) per page: {over}"
