"""A new organisation applies: registers, drafts across steps, loses its session, signs back in, finishes, uploads,
submits and downloads its PDF copy."""

import re

import pytest

from tests.factories.grants_extra import round_with_form


@pytest.fixture
def applicant(db):
    from allauth.account.models import EmailAddress

    from tests.factories.portal import UserFactory

    user = UserFactory(email="rosa@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_new_organisation_drafts_loses_session_and_submits(
    browser_page, e2e_login, axe_violations, applicant, tmp_path
):
    page = browser_page
    funding_round = round_with_form(
        title="2026 Community-Led Response Grants",
        slug="community-2026",
        eligibility=[("Does your work serve people in Millbrook?", True, "this fund only supports work in Millbrook.")],
    )
    e2e_login(page, applicant)

    # Register the organisation.
    page.goto(page.base_url + "/organisations/new/")
    page.get_by_label("Legal name").fill("Northside Peer Support Collective")
    page.locator("#id_org_type").select_option("nonprofit_corporation")
    page.get_by_label("Registration number").fill("12-3456789")
    page.get_by_role("button", name="Register organisation").click()
    page.wait_for_url(re.compile(r"/organisations/northside-peer-support-collective/$"))

    # Eligibility, then the first step.
    page.goto(page.base_url + f"/apply/{funding_round.slug}/")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Check eligibility").click()
    page.get_by_role("button", name="Start or continue the application").click()
    page.wait_for_url(re.compile(r"/step/0/$"))
    assert axe_violations(page) == []
    page.get_by_label("Project title").fill("Evening peer drop-in")
    page.get_by_label("Project summary").fill("Three evenings a week with naloxone and peer support.")
    page.get_by_label("Amount requested").fill("25000")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/step/1/$"))

    # Type on step 2 and let the autosave (JavaScript) keep it.
    step_url = page.url
    page.get_by_label("What problem will you address?").fill("Too many people use alone at night in Northside.")
    page.get_by_label("Contact name").fill("Rosa")
    page.get_by_text("Draft saved automatically").wait_for(timeout=15_000)

    # The session is lost mid-way: everything typed so far is still there after signing back in.
    page.context.clear_cookies()
    page.goto(step_url)
    assert "/accounts/login/" in page.url
    e2e_login(page, applicant, next_url=step_url.replace(page.base_url, ""))
    page.wait_for_url(step_url)
    assert (
        page.get_by_label("What problem will you address?").input_value()
        == "Too many people use alone at night in Northside."
    )
    assert page.get_by_label("Contact name").input_value() == "Rosa"

    page.locator("#field-q_peer_led").get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/step/2/$"))

    # Budget and a file.
    page.get_by_label("Line 1 category").fill("Staff")
    page.get_by_label("Line 1 amount").fill("20000")
    page.get_by_label("Line 2 category").fill("Supplies")
    page.get_by_label("Line 2 amount").fill("5000")
    assert page.locator(".budget-total").inner_text().replace(",", "").startswith("25000")
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.get_by_label("Work plan").set_input_files(str(plan))
    page.get_by_role("button", name="Save and check answers").click()
    page.wait_for_url(re.compile(r"/submit/$"))
    assert page.get_by_text("Some answers need your attention").count() == 0
    assert page.get_by_text("plan.pdf").count() >= 1

    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    assert page.get_by_text(re.compile(r"CRF-\d{4}-0001")).count() >= 1
    assert axe_violations(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF copy").click()
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
