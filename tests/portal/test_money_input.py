"""Typed amounts: what people write is read to the cent, or refused with a clear message; never silently 0.00."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from fund.donations.admin_forms import OfflineGiftForm, OfflineGiftSaleForm, PledgeForm
from fund.donations.admin_money_views import RefundForm
from fund.donations.forms import DonateForm
from grants.awards.forms import OfferForm, TrancheForm
from grants.forms_staff import ApplicationFilterForm
from grants.review.forms import DecisionForm
from portal.forms import MoneyField
from portal.money import MoneyInputError, parse_money


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("28,800", "28800.00"),
        ("$28,800.00", "28800.00"),
        (" 28800 ", "28800.00"),
        ("28800.5", "28800.50"),
        ("28 800", "28800.00"),
        ("28\u00a0800", "28800.00"),
        ("1,000,000", "1000000.00"),
        ("28,800.50", "28800.50"),
        ("USD 1,200", "1200.00"),
        ("£1,200.75", "1200.75"),
        (".5", "0.50"),
        ("0", "0.00"),
    ],
)
def test_english_amounts_are_read_to_the_cent(typed, expected):
    with translation.override("en"):
        assert parse_money(typed) == Decimal(expected)


@pytest.mark.parametrize(
    "typed, code",
    [
        ("abc", "invalid"),
        ("1e5", "invalid"),
        ("", "empty"),
        ("$", "empty"),
        ("-5", "negative"),
        ("-$28,800", "negative"),
        ("(120)", "negative"),
        ("12.345", "decimals"),
        ("28,80", "grouping"),  # a typo for 28,800 or a decimal comma? We ask rather than guess.
        ("28 80", "grouping"),
        ("1.2.3", "grouping"),
        ("1,000.000,5", "invalid"),
        ("9" * 40, "too_large"),
        (Decimal("NaN"), "too_large"),
        (Decimal("1.234"), "decimals"),
    ],
)
def test_garbage_negative_and_ambiguous_amounts_are_refused(typed, code):
    with translation.override("en"):
        with pytest.raises(MoneyInputError) as exc:
            parse_money(typed)
    assert exc.value.code == code
    assert str(exc.value.message)


def test_negative_amounts_pass_only_where_allowed():
    assert parse_money("-1,200.50", allow_negative=True) == Decimal("-1200.50")


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_decimal_comma_language_reads_its_own_way_of_writing(language):
    with translation.override(language):
        assert parse_money("28.800,50") == Decimal("28800.50")
        assert parse_money("28\u00a0800,5") == Decimal("28800.50")
        assert parse_money("28,5") == Decimal("28.50")
        assert parse_money("28800.00") == Decimal("28800.00")  # the stored form always reads back
        assert parse_money("28.800") == Decimal("28800.00")
        assert parse_money("28 800") == Decimal("28800.00")
        # Amounts never have three decimals: a comma before three digits groups thousands here too (issue 15).
        assert parse_money("28,800") == Decimal("28800.00")
        with pytest.raises(MoneyInputError):
            parse_money("28,8000")


class AmountForm(forms.Form):
    amount = MoneyField(label="Amount", min_value=Decimal("0.01"))


def test_money_field_cleans_typed_text_and_links_its_error_to_the_input():
    form = AmountForm(data={"amount": "$28,800.00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("28800.00")

    form = AmountForm(data={"amount": "twenty"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["Enter an amount in numbers, like 28,800.50."]
    html = str(form["amount"])
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_amount_error"' in html
    assert 'value="twenty"' in html  # what was typed is given back, next to its error


def test_money_field_keeps_its_limits_and_refuses_negatives():
    form = AmountForm(data={"amount": "0"})
    assert not form.is_valid() and "greater than or equal to 0.01" in form.errors["amount"][0]
    form = AmountForm(data={"amount": "-5"})
    assert form.errors["amount"] == ["Enter an amount of zero or more, without a minus sign."]
    form = AmountForm(data={"amount": "1234567890123"})
    assert not form.is_valid()


def test_money_input_is_a_decimal_keypad_text_box_showing_the_stored_amount_formatted():
    html = str(AmountForm(initial={"amount": Decimal("28800.5")})["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'value="28,800.50"' in html
    with translation.override("fr"):
        html = str(AmountForm(initial={"amount": Decimal("28800.5")})["amount"])
    assert 'value="28\u00a0800,50"' in html


@pytest.mark.parametrize(
    "form_class, name",
    [
        (DonateForm, "custom_amount"),
        (OfferForm, "amount"),
        (TrancheForm, "amount"),
        (DecisionForm, "amount"),
        (OfflineGiftForm, "amount"),
        (OfflineGiftForm, "advantage_amount"),
        (OfflineGiftForm, "appraised_value"),
        (OfflineGiftSaleForm, "proceeds"),
        (PledgeForm, "amount"),
        (RefundForm, "amount"),
        (ApplicationFilterForm, "min_amount"),
        (ApplicationFilterForm, "max_amount"),
    ],
)
def test_every_amount_people_type_is_read_the_same_way(form_class, name):
    field = form_class.base_fields[name]
    assert field.clean("$28,800") == Decimal("28800.00")
    with pytest.raises(forms.ValidationError):
        field.clean("-28,800")
