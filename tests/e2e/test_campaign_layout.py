"""On a phone the donate box comes right after the campaign's opening paragraph, before the story; on a wide screen it
stands beside the story."""

import pytest

from tests.factories.cms import make_site

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [375, 1280], ids=["phone", "desktop"])
def test_the_donate_box_follows_the_opening_paragraph(browser, live_server, width):
    make_site()
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/campaigns/naloxone-in-every-pocket/")
        lead = page.locator(".campaign-header .lead").bounding_box()
        give = page.locator(".campaign-give").bounding_box()
        story = page.locator(".campaign-story").bounding_box()
        assert give["y"] > lead["y"]
        if width < 700:
            assert give["y"] < story["y"]  # first thing after the opening
        else:
            assert give["x"] > story["x"] and abs(give["y"] - story["y"]) < 5  # beside the story
    finally:
        context.close()
