"""A session that runs out mid-edit never costs text: autosave says so and links to sign-in in a new tab; once signed
in there, the next save from the first tab succeeds (with a fresh CSRF token). Reloading while signed out and signing
in again in the same tab offers the text kept in the browser back. Leaving with unsaved changes asks first."""

import re

import pytest
from django.contrib.sessions.models import Session

from grants.models import Application
from tests.factories.grants_extra import draft_for, round_with_form

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"


def _sign_in_here(page, user):
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state()


def _answers(application):
    return Application.objects.get(pk=application.pk).answers


def test_signing_in_again_in_a_new_tab_saves_what_was_typed(browser_page, e2e_login, mfa_user_factory):
    page = browser_page
    funding_round = round_with_form(slug="community-2026")
    application, user = draft_for(funding_round, user=mfa_user_factory(mfa=False))
    e2e_login(page, user)
    page.goto(f"{page.base_url}/applications/{application.pk}/step/1/")
    page.get_by_label("Contact name").fill("Rosa")
    page.get_by_text("Draft saved automatically").wait_for(timeout=15_000)

    Session.objects.all().delete()  # the session runs out
    page.get_by_label("What problem will you address?").press_sequentially("Nobody carries naloxone at night.")
    page.get_by_text("You have been signed out. What you typed is kept on this device.").wait_for(timeout=15_000)
    assert not _answers(application).get("problem")

    link = page.get_by_role("link", name="Sign in again in a new tab")
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    with page.context.expect_page() as new_tab_info:
        link.click()
    new_tab = new_tab_info.value
    new_tab.wait_for_load_state()
    assert "/accounts/login/" in new_tab.url
    _sign_in_here(new_tab, user)
    new_tab.get_by_role("heading", name="You are signed in again").wait_for()

    # Back in the first tab: the next autosave gets the new CSRF token and saves; no 403 page anywhere.
    page.bring_to_front()
    page.get_by_text("Draft saved automatically").wait_for(timeout=15_000)
    assert _answers(application)["problem"] == "Nobody carries naloxone at night."
    # And the plain Save draft button works too (its form carries the new token).
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text(re.compile(r"Draft saved at")).wait_for()


def test_reloading_while_signed_out_offers_the_kept_text_back(browser_page, e2e_login, mfa_user_factory):
    page = browser_page
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    funding_round = round_with_form(slug="community-2026")
    application, user = draft_for(funding_round, user=mfa_user_factory(mfa=False))
    e2e_login(page, user)
    step_url = f"{page.base_url}/applications/{application.pk}/step/1/"
    page.goto(step_url)
    page.get_by_label("Contact name").fill("Rosa")
    page.get_by_text("Draft saved automatically").wait_for(timeout=15_000)

    Session.objects.all().delete()
    page.get_by_label("Contact name").press_sequentially(" Delgado")
    page.get_by_text("You have been signed out.").wait_for(timeout=15_000)

    page.reload()  # unsaved changes: the browser asks first
    assert dialogs == ["beforeunload"]
    page.wait_for_url(re.compile(r"/accounts/login/"))
    _sign_in_here(page, user)
    page.wait_for_url(step_url)
    assert page.get_by_label("Contact name").input_value() == "Rosa"
    page.get_by_text("We kept text you had not saved on this device.").wait_for()
    page.get_by_role("button", name="Restore it").click()
    assert page.get_by_label("Contact name").input_value() == "Rosa Delgado"
    page.get_by_text("Draft saved automatically").wait_for(timeout=15_000)
    assert _answers(application)["contact_name"] == "Rosa Delgado"

    # Once saved, nothing is offered again, and leaving does not ask.
    page.reload()
    page.get_by_label("Contact name").wait_for()
    assert page.get_by_text("We kept text you had not saved").count() == 0
    assert dialogs == ["beforeunload"]
