"""Redis is an accelerator: with it down, public pages render uncached, /healthz says 503 naming the cache, and
signing in still works (rate limits fail open, with a warning)."""

import pytest

pytestmark = pytest.mark.django_db

CAMPAIGN = "/campaigns/naloxone-in-every-pocket/"


def test_public_pages_answer_200_uncached_when_redis_is_down(client, site, cache_down):
    for path in ("/", CAMPAIGN, "/about/", "/open-data/grants.json"):
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.get("X-Page-Cache") != "hit"
    assert "raised of" in client.get(CAMPAIGN).content.decode()


def test_healthz_answers_503_naming_the_cache_when_redis_is_down(client, cache_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["unavailable"] == ["cache"]
    assert body["checks"]["database"]["ok"] is True and body["checks"]["cache"]["ok"] is False


def test_sign_in_works_when_redis_is_down(client, mfa_user_factory, cache_down):
    user = mfa_user_factory(mfa=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_a_fail_open_cache_answers_as_an_empty_cache_and_the_health_check_asks_redis(cache_down):
    from django.core.cache import cache

    from portal import redis_cache

    assert cache.get("anything", "default") == "default"
    assert cache.add("lock", True) is True  # a cache lock lets the caller through
    assert redis_cache.cache_is_reachable(cache) is False


def test_page_cache_and_its_invalidations_never_raise_when_every_cache_call_does(rf, site, cache_raising):
    from cms import cache as page_cache
    from cms import live

    request = rf.get(CAMPAIGN)
    request.COOKIES = {}
    assert page_cache.cached_response(request) is None  # rendered uncached
    page_cache.invalidate_pages()
    live.bump("campaign", site["campaign"].pk)
