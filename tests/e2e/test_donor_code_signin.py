"""Give, then sign in: a visitor gives online without an account, later asks for a sign-in code with the email they
gave with, and finds the gift and its receipt in the donor portal."""

import re

import pytest
from django.core import mail

from tests.factories.cms import make_site

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_donor_gives_then_signs_in_by_code_and_sees_the_gift(browser_page, fake_stripe_live):
    page = browser_page
    campaign = make_site()["campaign"]
    campaign.suggested_amounts = [25, 50]
    campaign.save(update_fields=["suggested_amounts"])

    page.goto(f"{page.base_url}/campaigns/naloxone-in-every-pocket/")
    page.get_by_label("$25.00").check()
    page.get_by_label("Full name").fill("Robin Example")
    page.get_by_role("textbox", name="Email (required)").fill("robin@example.org")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{fake_stripe_live.url}/checkout/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/donate/thanks/**")
    mail.outbox.clear()

    page.goto(f"{page.base_url}/accounts/login/code/")
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_role("button", name=re.compile("code", re.I)).click()
    page.wait_for_load_state()
    [message] = [m for m in mail.outbox if "robin@example.org" in m.to]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", message.body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).first.click()
    page.wait_for_load_state()

    page.goto(f"{page.base_url}/donor/")
    body = page.locator("main").inner_text()
    assert "1 gift, $25.00 in total" in body and "Naloxone in Every Pocket" in body
    assert page.get_by_role("link", name=re.compile("Download US-")).count() == 1  # its receipt
