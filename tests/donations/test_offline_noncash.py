"""Gifts of securities: booked to non-cash assets (never cash), not available to award until finance records the
sale, which moves the value to cash at the real proceeds and books the gain or loss. Canadian appraisals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from fund import services as fund_services
from fund.donations.admin_forms import OfflineGiftForm
from fund.donations.models import Donation
from fund.donations.offline import OfflineGiftError, donation_record_offline, offline_gift_record_sale
from fund.ledger import account_balances
from fund.models import LedgerTransaction
from fund.selectors import fund_balances
from portal import roles
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


SHARES = "100 shares of Example Corp (EXMP)"


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def record_stock(by, *, fund=None, amount="12000.00", **kwargs):
    kwargs = {
        "donor": DonorFactory(),
        "fund": fund or FundFactory(),
        "amount": amount,
        "method": "stock",
        "received_on": days_ago(10),
        "description": SHARES,
        "by": by,
        **kwargs,
    }
    return donation_record_offline(**kwargs)


def assert_ledger_check_passes(capsys):
    call_command("ledger_check")
    assert "Ledger check passed" in capsys.readouterr().out


# --- Booking and sale ---------------------------------------------------------------------------------------------


def test_stock_gift_is_booked_to_noncash_assets_and_is_not_available_to_award(finance, capsys):
    fund = FundFactory()
    record_stock(finance, fund=fund)

    balances = account_balances(fund)
    assert (balances["noncash_assets"], balances["cash"], balances["donations_revenue"]) == (
        Decimal("12000.00"),
        Decimal("0.00"),
        Decimal("-12000.00"),
    )
    figures = fund_balances(fund)
    assert (figures["noncash_held"], figures["cash_on_hand"], figures["available_to_award"]) == (
        Decimal("12000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert_ledger_check_passes(capsys)


def test_recording_the_sale_moves_the_value_to_cash_and_books_the_gain(finance, capsys):
    fund = FundFactory()
    donation = record_stock(finance, fund=fund)
    gift = LedgerTransaction.objects.get(kind="offline_gift", source_id=str(donation.pk))

    sale = offline_gift_record_sale(donation=donation, proceeds="12250.50", sold_on=days_ago(3), by=finance)

    balances = account_balances(fund)
    assert (balances["noncash_assets"], balances["cash"], balances["noncash_gains"]) == (
        Decimal("0.00"),
        Decimal("12250.50"),
        Decimal("-250.50"),
    )
    assert (sale.kind, sale.effective_date, sale.created_by, sale.group) == (
        "noncash_sale",
        days_ago(3),
        finance,
        gift.group,
    )
    assert fund_balances(fund)["available_to_award"] == Decimal("12250.50")
    entry = ModelLogEntry.objects.get(action="donations.donation.noncash_sale", object_id=str(donation.pk))
    assert (entry.user, entry.data["value_booked"], entry.data["gain"]) == (finance, "12000.00", "250.50")
    assert_ledger_check_passes(capsys)


def test_sale_at_a_loss_books_the_loss(finance):
    fund = FundFactory()
    donation = record_stock(finance, fund=fund)
    offline_gift_record_sale(donation=donation, proceeds=Decimal("11000.00"), sold_on=days_ago(1), by=finance)
    assert account_balances(fund)["noncash_gains"] == Decimal("1000.00")
    assert fund_balances(fund)["sale_gains"] == Decimal("-1000.00")


def test_a_sale_is_recorded_once(finance):
    fund = FundFactory()
    donation = record_stock(finance, fund=fund)
    offline_gift_record_sale(donation=donation, proceeds="12000.00", sold_on=days_ago(1), by=finance)
    with pytest.raises(OfflineGiftError, match="already recorded"):
        offline_gift_record_sale(donation=donation, proceeds="12000.00", sold_on=days_ago(1), by=finance)
    assert account_balances(fund)["cash"] == Decimal("12000.00")


@pytest.mark.parametrize(
    "proceeds,sold_on,message",
    [
        ("0", 1, "more than zero"),
        ("-5.00", 1, "more than zero"),
        ("twelve thousand", 1, "as a number"),
        ("NaN", 1, "as a number"),
        ("12000.00", -1, "future"),
        ("12000.00", 11, "before the gift was received"),
    ],
)
def test_bad_sale_input_is_refused_with_a_reason(finance, proceeds, sold_on, message):
    donation = record_stock(finance)
    with pytest.raises(OfflineGiftError, match=message):
        offline_gift_record_sale(donation=donation, proceeds=proceeds, sold_on=days_ago(sold_on), by=finance)
    assert not LedgerTransaction.objects.filter(kind="noncash_sale").exists()


def test_only_gifts_of_securities_are_sold(finance):
    cheque = donation_record_offline(
        donor=DonorFactory(), fund=FundFactory(), amount="500.00", method="cheque", received_on=days_ago(5), by=finance
    )
    with pytest.raises(OfflineGiftError, match="Only gifts of securities"):
        offline_gift_record_sale(donation=cheque, proceeds="500.00", sold_on=days_ago(1), by=finance)


def test_a_stock_gift_booked_as_cash_before_noncash_assets_existed_cannot_be_sold(finance):
    # A gift recorded before non-cash assets existed: the ledger holds no securities for it.
    fund = FundFactory()
    donation = DonationFactory(
        fund=fund, method="stock", description=SHARES, received_at=timezone.now() - timedelta(days=9)
    )
    fund_services.ledger_record_donation(fund=fund, amount=donation.amount, source=donation, clearing_account="cash")
    with pytest.raises(OfflineGiftError, match="holds no securities"):
        offline_gift_record_sale(donation=donation, proceeds="100.00", sold_on=days_ago(1), by=finance)


# --- Canadian appraisals ------------------------------------------------------------------------------------------


def test_canadian_appraisal_is_stored_for_the_receipt(finance):
    fund = FundFactory(jurisdiction="CA", currency="CAD")
    donation = record_stock(
        finance,
        fund=fund,
        description="A painting, oil on canvas",
        appraised_value="12000.00",
        appraiser_name="Morgan Appraisals Ltd.",
        appraiser_address="9 Bay Street, Toronto, ON M5J 2N8",
    )
    donation.refresh_from_db()
    assert (donation.appraised_value, donation.appraiser_name, donation.appraiser_address) == (
        Decimal("12000.00"),
        "Morgan Appraisals Ltd.",
        "9 Bay Street, Toronto, ON M5J 2N8",
    )


@pytest.mark.parametrize(
    "jurisdiction,method,extra,message",
    [
        ("CA", "stock", {"appraised_value": "12000.00"}, "appraiser's name"),
        ("CA", "stock", {"appraised_value": "12000.00", "appraiser_name": "M. Appraiser"}, "appraiser's address"),
        (
            "CA",
            "stock",
            {"appraiser_name": "M. Appraiser", "appraiser_address": "1 Main St"},
            "Give the appraised value",
        ),
        (
            "CA",
            "stock",
            {"appraised_value": "9000.00", "appraiser_name": "M. Appraiser", "appraiser_address": "1 Main St"},
            "must equal the appraised value",
        ),
        (
            "CA",
            "cheque",
            {"appraised_value": "12000.00", "appraiser_name": "M. Appraiser", "appraiser_address": "1 Main St"},
            "Only gifts of securities",
        ),
        (
            "US",
            "stock",
            {"appraised_value": "12000.00", "appraiser_name": "M. Appraiser", "appraiser_address": "1 Main St"},
            "Canadian",
        ),
    ],
)
def test_incomplete_or_misplaced_appraisal_is_refused(finance, jurisdiction, method, extra, message):
    fund = FundFactory(jurisdiction=jurisdiction)
    with pytest.raises(OfflineGiftError, match=message):
        record_stock(finance, fund=fund, method=method, **extra)
    assert not Donation.objects.exists()


def _form_data(fund, **overrides):
    return {
        "new_donor_name": "Grace Hopper",
        "new_donor_email": "grace@example.org",
        "fund": fund.pk,
        "method": "stock",
        "amount": "12000.00",
        "received_on": days_ago(2).isoformat(),
        "description": SHARES,
        **overrides,
    }


def test_offline_gift_form_shows_each_appraisal_problem_next_to_its_field():
    fund = FundFactory(jurisdiction="CA", currency="CAD")
    form = OfflineGiftForm(_form_data(fund, appraised_value="12000.00"))
    assert not form.is_valid()
    assert set(form.errors) == {"appraiser_name", "appraiser_address"}

    form = OfflineGiftForm(
        _form_data(
            FundFactory(jurisdiction="US"),
            appraised_value="12000.00",
            appraiser_name="M. Appraiser",
            appraiser_address="1 Main St",
        )
    )
    assert not form.is_valid() and "appraised_value" in form.errors


def test_offline_gift_form_passes_the_appraisal_to_the_service(finance):
    fund = FundFactory(jurisdiction="CA", currency="CAD")
    form = OfflineGiftForm(
        _form_data(
            fund,
            appraised_value="12000.00",
            appraiser_name="Morgan Appraisals Ltd.",
            appraiser_address="9 Bay Street, Toronto",
        )
    )
    assert form.is_valid(), form.errors
    donation = donation_record_offline(donor=DonorFactory(), by=finance, **form.service_kwargs())
    assert (donation.appraiser_name, donation.appraised_value) == ("Morgan Appraisals Ltd.", Decimal("12000.00"))


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"appraised_value": "12000.00"}, "appraiser_name"),
        ({"amount": "lots"}, "amount"),
        ({"description": ""}, "description"),
        ({"advantage_amount": "20000.00"}, "advantage_amount"),
    ],
)
def test_offline_gift_screen_shows_bad_input_as_errors_not_a_500(client, login, finance, overrides, field):
    fund = FundFactory(jurisdiction="CA", currency="CAD")
    login(finance)
    response = client.post("/admin/donations/offline/", _form_data(fund, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Donation.objects.exists()


# --- The sale screen ----------------------------------------------------------------------------------------------


def test_finance_records_a_sale_on_the_sale_screen(client, login, finance):
    fund = FundFactory()
    donation = record_stock(finance, fund=fund)
    login(finance)
    page = client.get(f"/admin/donations/{donation.pk}/sale/")
    assert page.status_code == 200
    assert SHARES in page.content.decode() and "$12,000.00" in page.content.decode()

    response = client.post(
        f"/admin/donations/{donation.pk}/sale/", {"proceeds": "12100.00", "sold_on": days_ago(1).isoformat()}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/donations/{donation.pk}/")
    assert account_balances(fund)["cash"] == Decimal("12100.00")


@pytest.mark.parametrize(
    "data",
    [
        {"proceeds": "abc", "sold_on": "2020-01-01"},
        {"proceeds": "5", "sold_on": "not a date"},
        {"proceeds": "5", "sold_on": "2999-01-01"},
        {},
    ],
)
def test_sale_screen_shows_bad_input_as_errors(client, login, finance, data):
    donation = record_stock(finance)
    login(finance)
    response = client.post(f"/admin/donations/{donation.pk}/sale/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not LedgerTransaction.objects.filter(kind="noncash_sale").exists()


def test_sale_screen_is_for_finance_only(client, login, mfa_user_factory, finance):
    donation = record_stock(finance)
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    response = client.post(
        f"/admin/donations/{donation.pk}/sale/", {"proceeds": "1.00", "sold_on": days_ago(1).isoformat()}
    )
    assert response.status_code == 403
    assert not LedgerTransaction.objects.filter(kind="noncash_sale").exists()


def test_donation_screen_offers_finance_the_sale_of_held_securities_then_shows_it_sold(client, login, finance):
    donation = record_stock(finance)
    page = login(finance).get(f"/admin/donations/{donation.pk}/").content.decode()
    assert "Held at" in page and f"/admin/donations/{donation.pk}/sale/" in page
    client.post(f"/admin/donations/{donation.pk}/sale/", {"proceeds": "9000.00", "sold_on": days_ago(1).isoformat()})
    page = client.get(f"/admin/donations/{donation.pk}/").content.decode()
    assert "Sold on" in page and f"/admin/donations/{donation.pk}/sale/" not in page


def test_program_staff_see_held_securities_without_the_sale_button(client, login, finance, mfa_user_factory):
    donation = record_stock(finance)
    page = login(mfa_user_factory(roles.PROGRAM_STAFF)).get(f"/admin/donations/{donation.pk}/").content.decode()
    assert "Held at" in page and f"/admin/donations/{donation.pk}/sale/" not in page


def test_finance_dashboard_shows_securities_held_apart_from_cash(client, login, finance):
    from django.urls import reverse

    fund = FundFactory(is_default=True)
    record_stock(finance, fund=fund, amount="12000.00")
    page = login(finance).get(reverse("awards_admin:finance_dashboard")).content.decode()
    held = page[page.index("Gifted securities not yet sold") :][:200]
    assert "12,000.00" in held
    cash = page[page.index("Cash on hand (bank and Stripe)") :][:200]
    assert "12,000.00" not in cash
