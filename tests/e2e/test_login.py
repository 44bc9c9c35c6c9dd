from portal import roles


def test_staff_member_signs_in_with_totp_and_reaches_the_admin(browser_page, e2e_login, mfa_user_factory):
    staff = mfa_user_factory(roles.PROGRAM_STAFF)
    e2e_login(browser_page, staff)
    browser_page.goto(browser_page.base_url + "/admin/")
    assert "/admin/" in browser_page.url
    assert browser_page.locator("text=Dashboard").first.is_visible() or browser_page.title()


def test_skip_link_moves_focus_to_main_content(browser_page):
    browser_page.goto(browser_page.base_url + "/accounts/login/")
    browser_page.keyboard.press("Tab")
    skip = browser_page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    browser_page.keyboard.press("Enter")
    assert browser_page.url.endswith("#main")
