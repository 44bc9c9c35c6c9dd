"""Security headers on every response: the same on a cached page (a hit) as on the first render (a miss)."""

import pytest
from django.test import Client
from wagtail.models import Page

from tests.factories.cms import make_public_grant

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = (
    "X-Frame-Options",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Strict-Transport-Security",
    "Cross-Origin-Opener-Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
)
FIXED_URLS = ("/", "/search/", "/open-data/grants.json", "/open-data/grants.csv", "/robots.txt", "/sitemap.xml")


@pytest.fixture
def public_urls(site):
    make_public_grant(round=site["closed_round"])
    page_urls = {page.url for page in Page.objects.live().public().specific() if page.url}
    return sorted(page_urls | set(FIXED_URLS))


@pytest.fixture
def https(settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


def _security_headers(response):
    return {name: response.get(name) for name in SECURITY_HEADERS}


def test_every_public_url_carries_the_same_security_headers_on_a_miss_and_a_hit(public_urls, https):
    assert "/campaigns/naloxone-in-every-pocket/" in public_urls and "/grants/" in public_urls
    hits = 0
    for url in public_urls:
        client = Client()
        first, second = client.get(url, secure=True), client.get(url, secure=True)
        assert first.status_code == 200, url
        assert second.status_code == 200, url
        hits += second.get("X-Page-Cache") == "hit"
        missing = [name for name, value in _security_headers(first).items() if not value]
        assert not missing, f"{url} (miss) lacks {missing}"
        assert _security_headers(second) == _security_headers(first), f"{url}: the cached copy differs"
    assert hits >= 10  # the cache really answered (pages and open data), so hits were checked


def test_a_cached_page_is_still_refused_to_frames(client, site):
    client.get("/about/")
    response = client.get("/about/")
    assert response["X-Page-Cache"] == "hit"
    assert response["X-Frame-Options"] == "DENY"
