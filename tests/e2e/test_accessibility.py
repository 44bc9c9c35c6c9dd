import pytest

PAGES = ["/", "/accounts/login/", "/accounts/signup/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(browser_page, axe_violations, path):
    browser_page.goto(browser_page.base_url + path)
    assert browser_page.locator("h1").count() == 1
    assert axe_violations(browser_page) == []
