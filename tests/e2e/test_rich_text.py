"""A "formatted text" answer typed in the editor (bold with the keyboard, a bulleted list with the toolbar) is stored
as sanitised HTML with its list, shown as a list on the reviewer's page and printed as bullets in the PDF copy."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from grants.models import Application
from grants.review.models import Assignment, ConflictDeclaration, PanelMember
from portal import roles
from tests.factories.grants_extra import complete, draft_for, round_with_form
from tests.factories.review import CriterionFactory, PanelFactory, RubricFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def csp_refusals(browser_page):
    refused = []
    browser_page.on(
        "console", lambda m: refused.append(m.text) if "Refused to" in m.text or "Content Security" in m.text else None
    )
    browser_page.on("pageerror", lambda error: refused.append(str(error)))
    return refused


def test_rich_text_with_a_list_reaches_the_reviewer_and_the_pdf(
    browser_page, e2e_login, axe_violations, mfa_user_factory, csp_refusals, client, login
):
    page = browser_page
    funding_round = round_with_form(slug="community-2026")
    application, user = draft_for(funding_round, user=mfa_user_factory(mfa=False))
    complete(application)
    e2e_login(page, user)
    page.goto(f"{page.base_url}/applications/{application.pk}/step/1/")

    # The editor is the question's textbox, named by its label; the toolbar's buttons are named too.
    editor = page.get_by_role("textbox", name="Your approach")
    editor.wait_for()
    assert editor.evaluate("e => e.tagName") == "TRIX-EDITOR"
    assert "Peer outreach at night" in editor.inner_text()  # the saved answer is loaded into it
    for name in ("Bold", "Italic", "Link", "Bulleted list", "Numbered list"):
        assert page.get_by_role("button", name=name, exact=True).count() == 1, name
    assert page.locator("#id_q_approach").is_hidden()

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("We meet people where they are, every night.")
    page.wait_for_timeout(300)  # Trix applies typed text a moment after the key events
    page.keyboard.press("ArrowLeft")
    for _letter in "every night":  # select the two words before the full stop, then make them bold
        page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_timeout(300)
    page.keyboard.press("Control+B")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bulleted list", exact=True).click()
    assert page.get_by_role("button", name="Bulleted list", exact=True).get_attribute("aria-pressed") == "true"
    page.keyboard.type("Naloxone kits")
    page.keyboard.press("Enter")
    page.keyboard.type("Peer support")
    page.keyboard.press("Enter")
    page.keyboard.type("Rides to treatment")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("Thank you")
    page.wait_for_timeout(300)
    # The toolbar is reachable and usable with the keyboard alone: select, Shift+Tab back to "Italic", Space.
    page.keyboard.press("Shift+Home")
    for _button in ("Numbered list", "Bulleted list", "Link", "Italic"):
        page.keyboard.press("Shift+Tab")
    italic = page.get_by_role("button", name="Italic", exact=True)
    assert italic.evaluate("b => b === document.activeElement")
    page.keyboard.press("Space")
    assert italic.get_attribute("aria-pressed") == "true"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/step/2/$"))
    application.refresh_from_db()
    stored = application.answers["approach"]
    assert "<strong>every night</strong>" in stored
    assert "<ul><li>Naloxone kits</li><li>Peer support</li><li>Rides to treatment</li></ul>" in stored
    assert "<div" not in stored and "<!--" not in stored
    assert stored.endswith("<p><em>Thank you</em></p>")

    page.goto(f"{page.base_url}/applications/{application.pk}/submit/")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    assert page.locator("dd li").all_inner_texts()[:3] == ["Naloxone kits", "Peer support", "Rides to treatment"]
    assert csp_refusals == []

    # The PDF copy prints the list as bullets, in order, and the paragraph before it.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF copy").click()
    with open(download_info.value.path(), "rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "We meet people where they are, every night." in text
    bullets = re.findall(r"•\s*(Naloxone kits|Peer support|Rides to treatment)", text)
    assert bullets == ["Naloxone kits", "Peer support", "Rides to treatment"]

    # The reviewer's page shows the formatted answer, list and all.
    application = Application.objects.get(pk=application.pk)
    application.status = "in_review"
    application.save(update_fields=["status"])
    reviewer = mfa_user_factory(roles.REVIEWER)
    panel = PanelFactory(round=funding_round, blind_review=False)
    CriterionFactory(rubric=RubricFactory(round=funding_round), title="Community need")
    member = PanelMember.objects.create(panel=panel, user=reviewer, kind=PanelMember.Kind.COMMUNITY)
    assignment = Assignment.objects.create(application=application, member=member)
    ConflictDeclaration.objects.create(
        assignment=assignment, member=member, organisation=application.organisation, has_conflict=False
    )
    login(reviewer)
    response = client.get(reverse("review:score", args=[assignment.pk]))
    assert response.status_code == 200, response.get("Location")
    score_page = response.content.decode()
    assert "<ul><li>Naloxone kits</li><li>Peer support</li><li>Rides to treatment</li></ul>" in score_page
    assert "<strong>every night</strong>" in score_page
