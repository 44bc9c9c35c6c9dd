"""The per-process copy of the sites, site settings, fund and alerts (cms/sitestate.py), the two-query routing
(cms/routing.py) and view restrictions read once: fewer queries, the same answers, and every change shown at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from cms import cache as page_cache
from cms import sitestate
from cms.models import Alert, SiteSettings, StandardPage
from tests.factories.cms import add_page, translate_page

pytestmark = pytest.mark.django_db


def uncached_queries(path):
    page_cache.invalidate_pages()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss", path
    return [q["sql"] for q in queries]


def test_a_repeat_render_reads_no_site_settings_or_alerts_from_the_database(site):
    Client().get("/about/")  # the process's copy is read once
    sql = " ".join(uncached_queries("/about/"))
    for table in ("wagtailcore_site", "cms_sitesettings", "cms_alert", "fund_fund"):
        assert f'"{table}"' not in sql, table


def test_routing_costs_the_same_queries_at_every_depth(site):
    about = site["about"]
    deep = add_page(add_page(about, StandardPage, title="Team"), StandardPage, title="Board")
    Client().get("/about/")
    shallow, deeper = uncached_queries("/about/"), uncached_queries("/about/team/board/")
    assert len(deeper) == len(shallow)
    assert "Board" in Client().get(deep.url).content.decode()


def test_routing_serves_what_wagtail_would(client, site):
    assert client.get("/about/nothing-here/").status_code == 404
    draft = add_page(site["about"], StandardPage, title="Draft", live=False)
    assert client.get(draft.url_path.replace("/home", "", 1)).status_code == 404
    # A live page under an unpublished one is served, as Wagtail serves it.
    child = add_page(draft, StandardPage, title="Child")
    assert client.get("/about/draft/child/").status_code == 200, child.url_path
    # A routable page routes the rest of the path itself.
    assert client.get("/grants/").status_code == 200
    assert client.get("/grants/999999/").status_code == 404


def test_a_site_settings_change_shows_at_once(client, site):
    client.get("/about/")
    settings_obj = SiteSettings.objects.get(site=Site.objects.get(is_default_site=True))
    settings_obj.fund = site["fund"]
    settings_obj.save()
    assert site["fund"].legal_name in client.get("/about/").content.decode()
    fund = site["fund"]
    fund.legal_name = "Millbrook Resilience Trust"
    fund.save()
    assert "Millbrook Resilience Trust" in client.get("/about/").content.decode()


def test_an_alert_saved_or_switched_off_shows_at_once_on_signed_in_and_public_pages(client, site, mfa_user_factory):
    now = timezone.now()
    assert "Boil water" not in client.get("/accounts/login/").content.decode()
    alert = Alert.objects.create(message="Boil water", starts_at=now - timedelta(minutes=1), live=True)
    assert "Boil water" in client.get("/accounts/login/").content.decode()
    assert "Boil water" in client.get("/about/").content.decode()
    alert.live = False
    alert.save()
    assert "Boil water" not in client.get("/accounts/login/").content.decode()
    assert "Boil water" not in client.get("/about/").content.decode()


def test_a_page_made_private_leaves_the_page_cache_at_once(client, site):
    assert client.get("/about/").status_code == 200
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    PageViewRestriction.objects.create(page=site["about"], restriction_type="password", password="secret")
    response = client.get("/about/")
    assert response.status_code == 200 and b"secret" not in response.content
    assert "X-Page-Cache" not in response or response["X-Page-Cache"] != "hit"
    assert b'name="password"' in response.content


def test_a_private_parent_keeps_its_children_private(client, site):
    child = add_page(site["about"], StandardPage, title="Team")
    PageViewRestriction.objects.create(page=site["about"], restriction_type="password", password="secret")
    response = client.get("/about/team/")
    assert b'name="password"' in response.content, child.url_path


def test_each_request_gets_its_own_copy_of_the_shared_rows(rf, site):
    first, second = rf.get("/about/"), rf.get("/about/")
    sitestate.prime(first)
    sitestate.prime(second)
    assert first._wagtail_site == second._wagtail_site
    assert first._wagtail_site is not second._wagtail_site
    attr = SiteSettings.get_cache_attr_name()
    assert getattr(first, attr) is not getattr(second, attr)
    assert getattr(first, attr)._request is first


def test_without_a_cache_everything_is_read_from_the_database(client, site, cache_down):
    assert sitestate.current() is None
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/about/").status_code == 200
    assert any('"wagtailcore_site"' in q["sql"] for q in queries)


def test_a_translated_page_routes_with_one_more_query_than_english(site):
    translate_page(site["home"], "es", title="Fondo Comunitario", hero_heading="Respuestas comunitarias")
    translate_page(site["about"], "es", title="Quiénes somos", intro="Quiénes somos.")
    Client().get("/about/")
    english, spanish = uncached_queries("/about/"), uncached_queries("/es/about/")
    assert len(spanish) == len(english) + 1  # the home page's live translation, where the Spanish tree starts
    assert "<h1>Quiénes somos</h1>" in Client().get("/es/about/").content.decode()


def test_publishing_the_sites_root_page_retires_the_copy_and_other_pages_do_not(site):
    before = sitestate.current().generation
    site["about"].save_revision().publish()
    assert sitestate.current().generation == before
    site["home"].save_revision().publish()
    assert sitestate.current().generation != before
