"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser).

Without Chromium they are skipped with a visible message; REQUIRE_BROWSER=1 (CI) turns the skip into a failure.
"""

import os
import shutil
import time

import pytest

from tests.fakes.stripe_server import FakeStripe

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path():
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/e2e/" in str(item.fspath).replace(os.sep, "/")]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if chromium_path():
        return
    message = "Chromium not found (apt-get install chromium): browser tests skipped"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        for item in browser_items:
            item.add_marker(pytest.mark.xfail(reason=message, run=False, strict=True))
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {message}")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="America/New_York"
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def browser_page(browser_context, live_server):
    page = browser_context.new_page()
    page.base_url = live_server.url
    yield page


@pytest.fixture
def e2e_login():
    """Sign in through the real allauth pages, answering the MFA step with a genuine TOTP code when asked.

    allauth refuses a TOTP code that was already used, so log the same MFA user in at most once per 30 seconds.
    """
    from tests.conftest import totp_code_for

    def do_login(page, user, password="correct-horse-battery", next_url=""):
        url = f"{page.base_url}/accounts/login/"
        if next_url:
            url += f"?next={next_url}"
        page.goto(url)
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_load_state()
        for _attempt in range(2):
            if "/accounts/2fa/authenticate" not in page.url:
                break
            # A code typed in the last seconds of its 30-second window may reach the server in the next one (allauth
            # allows no drift): wait for a fresh window first, and once more if the server still refused it.
            left = 30 - time.time() % 30
            if left < 6 or _attempt:
                time.sleep(left + 0.5)
            page.get_by_label("Code").fill(totp_code_for(user))
            page.get_by_role("button", name="Sign In", exact=True).click()
            page.wait_for_load_state()
        return page

    return do_login


AXE_IMPACTS = {"serious", "critical"}


@pytest.fixture
def axe_violations():
    """Run axe-core (shipped inside axe-playwright-python) on the current page; return serious/critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page):
        results = axe.run(page)
        violations = results.response.get("violations", [])
        return [
            {
                "id": v["id"],
                "impact": v.get("impact"),
                "help": v.get("help"),
                "nodes": [n.get("target") for n in v.get("nodes", [])][:5],
            }
            for v in violations
            if v.get("impact") in AXE_IMPACTS
        ]

    return run


@pytest.fixture
def fake_stripe_live(settings, live_server):
    """The fake Stripe on its own port, sending its signed webhooks to the live server (browser tests of giving)."""
    fake = FakeStripe(
        api_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        webhook_url=f"{live_server.url}/stripe/webhook/",
    ).start()
    settings.STRIPE_API_BASE = fake.url
    settings.SITE_URL = live_server.url
    yield fake
    fake.stop()
