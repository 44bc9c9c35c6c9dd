"""Choosing a language: public pages carry it in the URL, portal screens follow the person, the switcher moves between
them, and the page cache never serves one language's copy for another."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.users.models import UserProfile

from cms.models import StandardPage
from tests.factories.cms import add_page, make_home
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(db):
    return add_page(make_home(), StandardPage, title="About us", slug="about", intro="Who we are.")


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_public_pages_answer_under_each_language_prefix(client, about):
    english, spanish, french = client.get("/about/"), client.get("/es/about/"), client.get("/fr/about/")
    assert [r.status_code for r in (english, spanish, french)] == [200, 200, 200]
    assert [html_lang(r) for r in (english, spanish, french)] == ["en", "es", "fr"]
    assert spanish["Content-Language"] == "es"
    # The URL decides on public pages, not the browser: the unprefixed page is English whatever it asks for.
    assert html_lang(client.get("/about/", HTTP_ACCEPT_LANGUAGE="es")) == "en"


def test_a_cached_english_page_is_never_served_in_another_language(client, about):
    client.get("/about/")
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    spanish = client.get("/es/about/")
    assert spanish["X-Page-Cache"] == "miss"
    assert html_lang(spanish) == "es"
    again = client.get("/es/about/")
    assert again["X-Page-Cache"] == "hit"
    assert html_lang(again) == "es" and again["Content-Language"] == "es"
    assert html_lang(client.get("/about/")) == "en"


def test_public_views_outside_wagtail_are_prefixed_too(client, about):
    assert html_lang(client.get("/es/donate/")) == "es"
    assert client.get("/es/jsi18n/")["Content-Type"].startswith("text/javascript")


def test_switcher_is_on_public_sign_in_and_portal_pages(client, about, login):
    for path in ("/about/", "/accounts/login/"):
        assert 'action="/i18n/setlang/"' in client.get(path).content.decode()
    login(UserFactory())
    page = client.get("/dashboard/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert '<label for="language-switcher-select">' in page


def test_switching_language_lands_on_the_same_public_page_in_that_language(client, about):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/es/about/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert html_lang(client.get(response["Location"])) == "es"
    back = client.post("/i18n/setlang/", {"language": "en", "next": "/es/about/"})
    assert back["Location"] == "/about/"
    assert client.post("/i18n/setlang/", {"language": "fr", "next": "/es/about/?x=1"})["Location"] == "/fr/about/?x=1"


def test_switcher_refuses_foreign_next_and_unknown_language(client, about):
    assert client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})["Location"] == "/es/"
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/about/"})
    assert response["Location"] == "/about/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert client.get("/i18n/setlang/").status_code == 405


def test_a_visitors_switch_needs_no_csrf_token_so_cached_pages_carry_none(client, about):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "es", "next": "/about/"})
    assert response.status_code == 302 and response["Location"] == "/es/about/"
    assert "csrfmiddlewaretoken" not in client.get("/about/").content.decode()


def test_a_signed_in_persons_switch_needs_a_csrf_token(login):
    user = UserFactory()
    strict = Client(enforce_csrf_checks=True)
    login(user, strict)
    assert strict.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"}).status_code == 403
    user.refresh_from_db()
    assert user.language != "es"


def test_signed_in_choice_is_kept_on_the_account_and_used_on_portal_screens(client, login):
    user = UserFactory()
    login(user)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"  # portal screens keep their unprefixed URL
    user.refresh_from_db()
    assert user.language == "fr"
    assert UserProfile.get_for_user(user).preferred_language == "fr"  # the admin follows the same choice
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "fr"  # the account wins over the browser and the (absent) cookie
    assert page["Content-Language"] == "fr"


def test_anonymous_portal_screens_follow_the_cookie_then_the_browser(client):
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")) == "fr"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")) == "es"
    assert html_lang(client.get("/accounts/login/")) == "es"


def test_people_change_their_language_on_their_preferences_screen(client, login):
    user = UserFactory()
    login(user)
    page = client.get("/dashboard/preferences/")
    assert page.status_code == 200
    assert '<label for="id_language">' in page.content.decode()
    response = client.post("/dashboard/preferences/", {"language": "es"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "es"
    assert html_lang(client.get("/dashboard/preferences/")) == "es"
    assert client.post("/dashboard/preferences/", {"language": "klingon"}).status_code == 200  # an error, never a 500
    client.post("/dashboard/preferences/", {"language": ""})
    user.refresh_from_db()
    assert user.language == ""


def test_staff_language_chosen_in_the_admin_applies_to_the_portal(db):
    user = UserFactory()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "es"
    profile.save()
    user.refresh_from_db()
    assert user.language == "es"
    profile.preferred_language = "de"  # not a language of the site: the site default
    profile.save()
    user.refresh_from_db()
    assert user.language == ""


def test_a_signed_in_persons_choice_wins_over_a_prefix_on_portal_screens(client, login):
    # A link someone else's action emailed may carry their language's prefix: the portal still speaks the reader's.
    login(UserFactory(language="fr"))
    page = client.get("/es/donor/")
    assert page.status_code == 200
    assert html_lang(page) == "fr"
    assert html_lang(client.get("/donor/", HTTP_ACCEPT_LANGUAGE="es")) == "fr"


def test_signing_up_in_spanish_keeps_spanish_for_the_account(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.post(
        "/accounts/signup/",
        {"email": "rosa@example.org", "password1": "a-long-Passphrase-2026", "password2": "a-long-Passphrase-2026"},
    )
    assert get_user_model().objects.get(email="rosa@example.org").language == "es"
