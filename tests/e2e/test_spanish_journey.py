"""A visitor switches the public site to Spanish and stays in Spanish from page to page, in a real browser.

The language machinery (prefix, switcher, `lang`) is tested for real; that the text itself is Spanish needs the
catalogues (locale/es), which the lead lands: that part is an expected failure until then."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def public_site(transactional_db):
    from tests.factories.cms import make_site

    return make_site()


def switch_to(page, label):
    page.get_by_label(re.compile("Language|Idioma|Langue")).select_option(label=label)
    page.locator("form.language-switcher button").click()
    page.wait_for_load_state()


def test_a_visitor_switches_to_spanish_and_every_page_says_so(browser_page, axe_violations, public_site):
    page = browser_page
    page.goto(page.base_url + "/")
    switch_to(page, "español")
    assert page.url == page.base_url + "/es/"
    for path in ("/es/", "/es/campaigns/naloxone-in-every-pocket/", "/es/apply/2026-community/", "/accounts/signup/"):
        page.goto(page.base_url + path)
        assert page.locator("html").get_attribute("lang") == "es", path
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
    # The nav keeps the visitor in Spanish.
    page.goto(page.base_url + "/es/")
    assert page.locator(".site-nav a", has_text=re.compile(".")).first.get_attribute("href").startswith("/es/")
    switch_to(page, "English")
    assert page.url == page.base_url + "/"
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.xfail(strict=False, reason="needs catalogues")
def test_the_spanish_pages_are_written_in_spanish(browser_page, public_site):
    page = browser_page
    page.goto(page.base_url + "/es/")
    assert page.get_by_role("link", name="Donar").count() >= 1
    page.goto(page.base_url + "/accounts/signup/")
    assert page.get_by_role("button", name=re.compile("Registr")).count() >= 1
