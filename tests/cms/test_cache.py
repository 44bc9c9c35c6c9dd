"""The public page cache: shared only between anonymous visitors, retired on publish and on new gifts."""

import re
from decimal import Decimal

import pytest

from tests.factories.cms import record_gift

pytestmark = pytest.mark.django_db

CAMPAIGN = "/campaigns/naloxone-in-every-pocket/"


def test_second_anonymous_visit_is_served_from_the_cache(client, site):
    assert client.get(CAMPAIGN)["X-Page-Cache"] == "miss"
    assert client.get(CAMPAIGN)["X-Page-Cache"] == "hit"


def test_signed_in_users_and_query_strings_bypass_the_cache(client, site, mfa_user_factory, login):
    client.get(CAMPAIGN)
    assert client.get(CAMPAIGN + "?utm_source=x").get("X-Page-Cache") is None
    login(mfa_user_factory("Editor", mfa=False))
    response = client.get(CAMPAIGN)
    assert response.get("X-Page-Cache") is None
    assert "Sign out" in response.content.decode()


def test_cached_page_never_carries_another_visitors_csrf_token(client, site):
    from django.test import Client

    from cms.cache import CSRF_PLACEHOLDER

    first = client.get("/grants/")  # the filter form is GET: no token, so use a page with a POST form
    assert "csrfmiddlewaretoken" not in first.content.decode()
    # The donate form posts: each visitor's cached copy gets a token matching their own cookie.
    a, b = Client(), Client()
    a.get(CAMPAIGN)
    page_a, page_b = a.get(CAMPAIGN), b.get(CAMPAIGN)
    assert page_b["X-Page-Cache"] == "hit"
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', p.content.decode()) for p in (page_a, page_b)]
    if not tokens[0]:
        pytest.skip("the donate form is not embedded (no online giving configured)")
    assert CSRF_PLACEHOLDER not in page_b.content.decode()
    assert tokens[0] != tokens[1]
    assert "csrftoken" in page_b.cookies


def test_publishing_a_page_retires_the_cached_copy(client, site):
    page = site["about"]
    client.get("/about/")
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    page.intro = "We changed our story."
    page.save_revision().publish()
    response = client.get("/about/")
    assert response["X-Page-Cache"] == "miss"
    assert "We changed our story." in response.content.decode()


def test_unpublishing_a_page_removes_it_at_once(client, site):
    client.get("/about/")
    site["about"].unpublish()
    assert client.get("/about/").status_code == 404


def test_a_new_gift_shows_on_the_cached_campaign_and_home_pages(client, site, finance_user):
    for path in (CAMPAIGN, "/"):
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit"
    record_gift(campaign=site["campaign"], amount=Decimal("1250.00"), by=finance_user)
    for path in (CAMPAIGN, "/"):
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss"
        assert "$1,250.00" in response.content.decode()


def test_pages_with_live_totals_are_cached_for_seconds_other_pages_for_minutes(site):
    from cms.cache import _timeout_for

    assert _timeout_for(site["campaign_page"]) <= 5
    assert _timeout_for(site["home"]) <= 5
    assert _timeout_for(site["about"]) >= 60


def test_page_cache_middleware_answers_hits_before_url_routing_with_a_fresh_csrf_token(site, settings):
    from django.test import Client

    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.middleware.csrf.CsrfViewMiddleware") + 1, "cms.cache.PageCacheMiddleware"
    )
    settings.MIDDLEWARE = middleware
    Client().get(CAMPAIGN)
    visitor = Client()
    response = visitor.get(CAMPAIGN)
    assert response["X-Page-Cache"] == "hit"
    html = response.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token:  # the donate form is embedded: its token must match this visitor's new cookie
        from django.middleware.csrf import _unmask_cipher_token

        assert _unmask_cipher_token(token.group(1)) == response.cookies["csrftoken"].value
    assert Client().get("/accounts/login/").status_code == 200  # other views are untouched
