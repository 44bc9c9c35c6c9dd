"""An applicant types amounts the way people write them; the portal keeps them to the cent and shows them formatted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.grants_extra import draft_for, round_with_form

pytestmark = pytest.mark.django_db

MONEY_QUESTIONS = [
    {"key": "money", "kind": "section", "label": "Money"},
    {"key": "other_funding", "kind": "money", "label": "Other funding secured"},
    {"key": "budget", "kind": "budget", "label": "Budget"},
]


def _step(application, n):
    return reverse("grants:application_step", args=[application.pk, n])


def _budget(*amounts):
    data = {}
    for i, amount in enumerate(amounts):
        data.update({f"q_budget-{i}-category": f"Line {i + 1}", f"q_budget-{i}-amount": amount})
    return data


def test_typing_28_800_saves_28800_and_the_check_page_shows_it_formatted(client):
    application, user = draft_for(round_with_form(MONEY_QUESTIONS, max_request=Decimal("50000")))
    client.force_login(user)
    response = client.post(
        _step(application, 0),
        {"title": "Night outreach", "summary": "Kits", "requested_amount": "$30,000.00", "go": "next"},
    )
    assert response.status_code == 302
    response = client.post(
        _step(application, 1), {"q_other_funding": "28,800", **_budget("28,800", " 1 200.5 "), "go": "review"}
    )
    assert response.status_code == 302, response.content.decode()

    application.refresh_from_db()
    assert application.requested_amount == Decimal("30000.00")
    assert Decimal(application.answers["other_funding"]) == Decimal("28800.00")
    assert [Decimal(r["amount"]) for r in application.answers["budget"]] == [Decimal("28800.00"), Decimal("1200.50")]

    body = client.get(reverse("grants:application_review", args=[application.pk])).content.decode()
    assert "28,800.00" in body and "1,200.50" in body
    assert '<td class="numeric budget-total">30,000.50</td>' in body
    assert '<td class="numeric budget-difference">0.50</td>' in body
    assert "The budget is 0.50 more than the amount requested." in body

    page = client.get(_step(application, 1)).content.decode()
    assert 'value="28,800.00"' in page  # the money question and the budget line, shown formatted when coming back
    assert '<output class="budget-total">30,000.50</output>' in page
    assert "The budget is 0.50 more than the amount requested." in page


def test_an_amount_that_cannot_be_read_is_kept_as_typed_with_an_error_next_to_it_never_zero(client):
    application, user = draft_for(round_with_form(MONEY_QUESTIONS), requested_amount=Decimal("1000.00"))
    client.force_login(user)
    response = client.post(_step(application, 1), {"q_other_funding": "about 5k", **_budget("12.345"), "go": "save"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Other funding secured: Enter an amount in numbers, like 28,800.50." in body
    assert 'aria-describedby="id_q_other_funding_error"' in body and 'id="id_q_other_funding_error"' in body
    assert "Line 1: Use at most two decimal places (cents)." in body
    assert 'value="about 5k"' in body and 'value="12.345"' in body
    application.refresh_from_db()
    assert application.answers["other_funding"] == "about 5k"
    assert application.answers["budget"][0]["amount"] == "12.345"


def test_a_negative_amount_requested_is_refused_and_the_saved_one_kept(client):
    application, user = draft_for(round_with_form(MONEY_QUESTIONS), requested_amount=Decimal("1000.00"))
    client.force_login(user)
    response = client.post(_step(application, 0), {"title": "T", "requested_amount": "-500", "go": "save"})
    assert response.status_code == 200
    assert "Enter an amount of zero or more, without a minus sign." in response.content.decode()
    application.refresh_from_db()
    assert application.requested_amount == Decimal("1000.00")


def test_in_spanish_28_800_50_is_read_with_a_decimal_comma_and_shown_back_the_same_way(client):
    application, user = draft_for(round_with_form(MONEY_QUESTIONS), requested_amount=Decimal("30000.50"))
    client.force_login(user)
    response = client.post(
        _step(application, 1),
        {"q_other_funding": "28.800,50", **_budget("28.800,50", "1200"), "go": "save"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert Decimal(application.answers["other_funding"]) == Decimal("28800.50")
    assert [Decimal(r["amount"]) for r in application.answers["budget"]] == [Decimal("28800.50"), Decimal("1200.00")]
    page = client.get(_step(application, 1), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'value="28\u00a0800,50"' in page
    assert 'data-amount="30000.50"' in page  # the figure the live total reads is never localised


def test_the_applicants_copy_shows_the_budget_total_against_the_amount_requested(client):
    application, user = draft_for(round_with_form(MONEY_QUESTIONS), requested_amount=Decimal("30000.00"))
    application.answers = {"budget": [{"category": "Staff", "description": "", "amount": "28800.00"}]}
    application.save()
    client.force_login(user)
    body = client.get(reverse("grants:application_detail", args=[application.pk])).content.decode()
    assert '<td class="numeric budget-total">28,800.00</td>' in body
    assert "The budget is 1,200.00 less than the amount requested." in body
