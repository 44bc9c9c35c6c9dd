"""Public pages in several languages: a translated page is served under its language prefix; an untranslated one
falls back to English and says so, with its content marked lang="en"; every page lists its translations (hreflang)
and the sitemap lists every language's URL; publishing retires every language's cached copy."""

import re

import pytest
from django.core.cache import cache

from tests.factories.cms import translate_page

pytestmark = pytest.mark.django_db

I18N_URLS = "tests.cms.i18n_urls"


@pytest.fixture
def i18n_site(site, settings):
    settings.ROOT_URLCONF = I18N_URLS
    cache.clear()
    site["home_es"] = translate_page(
        site["home"], "es", title="Fondo Comunitario de Resiliencia", hero_heading="Respuestas comunitarias"
    )
    site["about_es"] = translate_page(site["about"], "es", title="Quiénes somos", intro="Quiénes somos.")
    yield site
    cache.clear()


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_translated_page_is_served_in_its_language_without_a_notice(client, i18n_site):
    response = client.get("/es/about/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Quiénes somos</h1>" in html
    assert '<html lang="es">' in html
    assert "content-fallback-notice" not in html
    assert "<h1>About us</h1>" in client.get("/about/").content.decode()


def test_untranslated_page_falls_back_to_english_and_says_so(client, i18n_site):
    response = client.get("/es/stories/outreach-van/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "On the road with the outreach van" in html
    assert 'class="content-fallback-notice"' in html
    # The notice itself is in the visitor's language (locale/es), naming the languages in Spanish.
    assert "todavía no está disponible en" in html and "se muestra en" in html
    content = html.split('class="page-content"', 1)[1]
    assert content.startswith(' lang="en"')
    assert "On the road with the outreach van" in content


def test_whole_site_untranslated_falls_back_to_english_home(client, site, settings):
    settings.ROOT_URLCONF = I18N_URLS
    cache.clear()
    html = client.get("/fr/").content.decode()
    assert site["home"].hero_heading in html
    assert 'class="content-fallback-notice"' in html
    assert client.get("/fr/no-such-page/").status_code == 404
    cache.clear()


def test_english_page_has_no_fallback_notice(client, i18n_site):
    html = client.get("/stories/outreach-van/").content.decode()
    assert "content-fallback-notice" not in html
    assert 'class="page-content">' in html


def test_every_public_page_lists_its_translations_and_x_default(client, i18n_site):
    links = alternates(client.get("/es/about/").content.decode())
    assert links == {
        "en": "http://localhost/about/",
        "es": "http://localhost/es/about/",
        "x-default": "http://localhost/about/",
    }
    assert alternates(client.get("/about/").content.decode()) == links
    # An untranslated page lists only what exists.
    story_links = alternates(client.get("/stories/outreach-van/").content.decode())
    assert story_links == {"en": "http://localhost/stories/outreach-van/", "x-default": story_links["en"]}


def test_sitemap_lists_each_languages_url(client, i18n_site):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://localhost/about/</loc>" in sitemap
    assert "<loc>http://localhost/es/about/</loc>" in sitemap
    assert "<loc>http://localhost/es/</loc>" in sitemap
    assert "<loc>http://localhost/campaigns/naloxone-in-every-pocket/</loc>" in sitemap
    assert "/es/campaigns/" not in sitemap  # not translated: not listed twice


def test_publishing_a_translation_retires_every_languages_cached_copy(client, i18n_site):
    for path in ("/about/", "/es/about/", "/fr/about/"):
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit", path
    about_es = i18n_site["about_es"]
    about_es.title = "Sobre nosotros"
    about_es.save_revision().publish()
    for path in ("/about/", "/es/about/", "/fr/about/"):
        assert client.get(path)["X-Page-Cache"] == "miss", path
    assert "<h1>Sobre nosotros</h1>" in client.get("/es/about/").content.decode()


def test_a_translated_slug_is_reached_from_the_english_path(client, i18n_site):
    stories_es = translate_page(i18n_site["stories"], "es", title="Historias", slug="historias")
    response = client.get("/es/stories/")
    assert response.status_code == 302
    assert response["Location"] == stories_es.url == "/es/historias/"


def test_alert_shows_in_the_visitors_language_or_marked_as_english(client, i18n_site):
    from datetime import timedelta

    from django.utils import timezone
    from wagtail.models import Locale

    from cms.models import Alert

    now = timezone.now()
    alert = Alert.objects.create(
        message="Nitazenes detected in Northside", starts_at=now - timedelta(minutes=1), severity="critical"
    )
    assert "Nitazenes detected in Northside" in client.get("/es/about/").content.decode()
    assert '<span lang="en">Nitazenes detected in Northside</span>' in client.get("/es/about/").content.decode()
    spanish = alert.copy_for_translation(Locale.objects.get(language_code="es"))
    spanish.message = "Nitacenos detectados en Northside"
    spanish.save()
    html = client.get("/es/about/").content.decode()
    assert "<span>Nitacenos detectados en Northside</span>" in html
    assert "Nitazenes detected" not in html
    english = client.get("/about/").content.decode()
    assert "Nitazenes detected in Northside" in english and "Nitacenos" not in english
    alert.live = False
    alert.save()  # the original's switch governs every language, even though its translation is still "live"
    spanish.refresh_from_db()
    assert spanish.live and "Nitacenos" not in client.get("/es/about/").content.decode()


def test_site_settings_footer_in_the_visitors_language(client, i18n_site):
    from wagtail.models import Site

    from cms.models import SiteSettings

    settings_obj = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings_obj.footer_text = "Pooled giving in Millbrook."
    settings_obj.footer_text_es = "Donaciones reunidas en Millbrook."
    settings_obj.save()
    assert "Donaciones reunidas en Millbrook." in client.get("/es/about/").content.decode()
    assert "Pooled giving in Millbrook." in client.get("/about/").content.decode()
    assert "Pooled giving in Millbrook." in client.get("/fr/about/").content.decode()  # no French: English


def test_lists_show_each_page_once_in_the_visitors_language(client, i18n_site):
    stories_es = translate_page(i18n_site["stories"], "es", title="Historias")
    translate_page(i18n_site["story"], "es", title="En la carretera con la furgoneta")
    html = client.get("/es/stories/").content.decode()
    assert stories_es.title in html
    assert "En la carretera con la furgoneta" in html
    assert "On the road with the outreach van" not in html
    english = client.get("/stories/").content.decode()
    assert 'lang="' not in english.split('class="page-content"', 1)[1].split("</main>")[0]
    assert "On the road with the outreach van" in english and "En la carretera" not in english
    # An untranslated open call is listed once, in English and marked so, on the Spanish home page.
    home = client.get("/es/").content.decode()
    assert '<h3 lang="en"><a href="/funding/2026-community/">2026 Community-Led Response Grants</a></h3>' in home
    translate_page(i18n_site["funding"], "es", title="Financiamiento")
    translate_page(i18n_site["open_round_page"], "es", title="Subvenciones comunitarias 2026")
    home = client.get("/es/").content.decode()
    assert "Subvenciones comunitarias 2026" in home
    assert "2026 Community-Led Response Grants" not in home


def test_editor_can_translate_pages_and_alerts(client, login, mfa_user_factory, site):
    from django.urls import reverse
    from wagtail.models import Locale

    from cms.editors import grant_editor_permissions

    Locale.objects.get_or_create(language_code="es")
    grant_editor_permissions()
    login(mfa_user_factory("Editor"))
    url = reverse("wagtail_localize:submit_page_translation", args=[site["about"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Spanish" in response.content.decode()


def test_a_translated_call_page_sends_the_visitor_to_the_eligibility_checker_in_its_language(client, i18n_site):
    translate_page(i18n_site["funding"], "es", title="Financiamiento")
    translate_page(i18n_site["open_round_page"], "es", title="Subvenciones comunitarias 2026")
    assert 'href="/es/apply/2026-community/"' in client.get("/es/funding/2026-community/").content.decode()
    assert 'href="/apply/2026-community/"' in client.get("/funding/2026-community/").content.decode()


def search_results(client, url):
    """The links of the page results (not the menus around them)."""
    html = client.get(url).content.decode()
    results = html.split('<ol class="search-results">', 1)[1].split("</ol>", 1)[0] if "search-results" in html else ""
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', results)


def test_site_search_lists_each_page_once_in_the_visitors_language(client, i18n_site):
    from wagtail.search import index

    about, about_es = i18n_site["about"], i18n_site["about_es"]
    about.intro, about_es.intro = "Who we are in Millbrook.", "Quiénes somos en Millbrook."
    about.save_revision().publish()
    about_es.save_revision().publish()
    for page in (about, about_es, i18n_site["story"]):
        index.insert_or_update_object(page.specific)

    # Both copies of About match "Millbrook": each visitor gets their own language's copy, once.
    english = search_results(client, "/search/?q=Millbrook")
    assert ("/about/", "About us") in english
    assert not [href for href, _ in english if href.startswith(("/es/", "/fr/"))]
    spanish = search_results(client, "/es/search/?q=Millbrook")
    assert ("/es/about/", "Quiénes somos") in spanish
    hrefs = [href for href, _ in spanish]
    assert "/about/" not in hrefs and "/" not in hrefs  # translated: only their Spanish copies
    assert len(hrefs) == len(set(hrefs))
    # The story has no Spanish translation yet: a Spanish visitor still finds it (in English).
    assert [title for _, title in search_results(client, "/es/search/?q=outreach")] == [
        "On the road with the outreach van"
    ]
