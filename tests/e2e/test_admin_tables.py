"""Wide staff tables scroll sideways inside their own focusable box on a narrow screen: no column is clipped."""

import pytest

from portal import roles
from tests.factories.donations import DonationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_donations_table_scrolls_inside_its_box(browser, live_server, e2e_login, mfa_user_factory):
    finance = mfa_user_factory(roles.FINANCE)
    DonationFactory(donor__name="Wilhelmina Featherstonehaugh-Montgomery")
    context = browser.new_context(viewport={"width": 640, "height": 900})
    try:
        page = context.new_page()
        page.base_url = live_server.url
        e2e_login(page, finance, next_url="/admin/donations/")
        page.goto(f"{live_server.url}/admin/donations/")
        box = page.locator("main .table-scroll").first
        assert box.get_attribute("tabindex") == "0"  # reachable by keyboard
        assert box.locator("table").count() == 1
        sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert sizes[0] > sizes[1]  # wider than the screen: it scrolls
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        last = box.locator("th").last.bounding_box()
        edge = box.bounding_box()
        assert last["x"] + last["width"] <= edge["x"] + edge["width"] + 1  # the last column comes into view
    finally:
        context.close()
