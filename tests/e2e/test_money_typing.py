"""An applicant types a budget the way people write amounts and sees the total and the difference as they type."""

import re
from decimal import Decimal

import pytest

from tests.factories.grants_extra import draft_for, round_with_form

BUDGET_QUESTIONS = [
    {"key": "money", "kind": "section", "label": "Money"},
    {"key": "other_funding", "kind": "money", "label": "Other funding secured", "required": False},
    {"key": "budget", "kind": "budget", "label": "Budget"},
]


@pytest.fixture
def draft(db):
    from allauth.account.models import EmailAddress

    application, user = draft_for(
        round_with_form(BUDGET_QUESTIONS, max_request=Decimal("50000")), requested_amount=Decimal("30000.00")
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return application, user


def test_typing_28_800_in_a_budget_shows_the_total_and_difference_live(browser_page, e2e_login, axe_violations, draft):
    application, user = draft
    page = browser_page
    e2e_login(page, user)
    page.goto(f"{page.base_url}/applications/{application.pk}/step/1/")
    assert page.locator(".budget-requested").inner_text() == "30,000.00"

    page.get_by_label("Line 1 category").fill("Peer workers")
    page.get_by_label("Line 1 amount").fill("28,800")
    page.get_by_label("Line 2 category").fill("Kits")
    page.get_by_label("Line 2 amount").fill("$1,000")
    assert page.locator(".budget-total").inner_text() == "29,800.00"
    assert page.locator(".budget-difference").inner_text() == "-200.00"
    status = page.get_by_role("status").filter(has_text="amount requested")
    status.get_by_text("The budget is 200.00 less than the amount requested.").wait_for()

    page.get_by_label("Line 2 amount").fill("1 200")
    page.get_by_text("The budget matches the amount requested.").wait_for()
    assert page.locator(".budget-total").inner_text() == "30,000.00"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Save and check answers").click()
    page.wait_for_url(re.compile(r"/submit/$"))
    assert page.locator("td.budget-total").inner_text() == "30,000.00"
    assert page.get_by_text("28,800.00").count() == 1
    application.refresh_from_db()
    assert [Decimal(r["amount"]) for r in application.answers["budget"]] == [Decimal("28800.00"), Decimal("1200.00")]
