"""Golden ledger stories: each scenario and the exact entries it writes (debit +, credit −)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from fund import services
from fund.ledger import LedgerError
from fund.selectors import fund_balances

from .conftest import ledger_table

pytestmark = pytest.mark.django_db


def test_card_gift_of_100_with_3_20_fee(fund, campaign, make_source):
    services.ledger_record_donation(
        fund=fund, campaign=campaign, amount=Decimal("100.00"), fee=Decimal("3.20"), source=make_source()
    )

    assert ledger_table(fund) == [
        ("donation", "stripe_clearing", None, "100.00"),
        ("donation", "donations_revenue", "naloxone", "-100.00"),
        ("processing_fee", "processing_fees", "naloxone", "3.20"),
        ("processing_fee", "stripe_clearing", None, "-3.20"),
    ]
    balances = fund_balances(fund)
    assert balances["received"] == Decimal("100.00")
    assert balances["fees"] == Decimal("3.20")
    assert balances["cash_on_hand"] == Decimal("96.80")
    assert balances["available_to_award"] == Decimal("96.80")
    assert balances["campaigns"][0]["net"] == Decimal("96.80")


def test_card_gift_refunded_in_full(fund, campaign, make_source):
    gift, _fee = services.ledger_record_donation(
        fund=fund, campaign=campaign, amount=Decimal("100.00"), fee=Decimal("3.20"), source=make_source()
    )
    services.ledger_record_refund(
        fund=fund, campaign=campaign, amount=Decimal("100.00"), source=make_source(), group=gift.group
    )

    assert ledger_table(fund)[4:] == [
        ("refund", "refunds", "naloxone", "100.00"),
        ("refund", "stripe_clearing", None, "-100.00"),
    ]
    balances = fund_balances(fund)
    assert balances["refunded"] == Decimal("100.00")
    # Stripe keeps its fee on a refund: the fund is out of pocket by it.
    assert balances["cash_on_hand"] == Decimal("-3.20")
    assert balances["net_received"] == Decimal("-3.20")


def test_disputed_gift_lost_with_dispute_fee(fund, make_source):
    services.ledger_record_donation(fund=fund, amount=Decimal("100.00"), fee=Decimal("3.20"), source=make_source())
    services.ledger_record_dispute_lost(fund=fund, amount=Decimal("100.00"), fee=Decimal("15.00"), source=make_source())

    assert ledger_table(fund)[4:] == [
        ("dispute", "dispute_losses", None, "100.00"),
        ("dispute", "stripe_clearing", None, "-100.00"),
        ("processing_fee", "processing_fees", None, "15.00"),
        ("processing_fee", "stripe_clearing", None, "-15.00"),
    ]
    assert fund_balances(fund)["dispute_losses"] == Decimal("100.00")
    assert fund_balances(fund)["cash_on_hand"] == Decimal("-18.20")


def test_offline_cheque_goes_to_cash_without_fee(fund, make_source):
    gift, fee = services.ledger_record_donation(
        fund=fund, amount=Decimal("2500.00"), source=make_source(), clearing_account="cash"
    )

    assert fee is None
    assert ledger_table(fund) == [
        ("offline_gift", "cash", None, "2500.00"),
        ("offline_gift", "donations_revenue", None, "-2500.00"),
    ]
    assert fund_balances(fund)["in_bank"] == Decimal("2500.00")


def test_gift_of_securities_is_held_apart_from_cash_and_not_available_to_award(fund, campaign, make_source):
    services.ledger_record_noncash_gift(fund=fund, campaign=campaign, amount=Decimal("12000.00"), source=make_source())

    assert ledger_table(fund) == [
        ("offline_gift", "noncash_assets", "naloxone", "12000.00"),
        ("offline_gift", "donations_revenue", "naloxone", "-12000.00"),
    ]
    balances = fund_balances(fund)
    assert (balances["received"], balances["noncash_held"]) == (Decimal("12000.00"), Decimal("12000.00"))
    assert (balances["cash_on_hand"], balances["in_bank"], balances["available_to_award"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    # The database guard agrees: nothing can be promised against shares not yet sold.
    with pytest.raises(LedgerError):
        services.ledger_record_award_committed(fund=fund, amount=Decimal("0.01"), source=make_source())


def test_gifted_securities_sold_at_a_gain(fund, campaign, make_source):
    gift = make_source()
    booked = services.ledger_record_noncash_gift(fund=fund, campaign=campaign, amount=Decimal("12000.00"), source=gift)
    sale = services.ledger_record_noncash_sale(
        fund=fund, campaign=campaign, proceeds=Decimal("12345.67"), source=gift, group=booked.group
    )

    assert ledger_table(fund)[2:] == [
        ("noncash_sale", "cash", None, "12345.67"),
        ("noncash_sale", "noncash_gains", "naloxone", "-345.67"),
        ("noncash_sale", "noncash_assets", "naloxone", "-12000.00"),
    ]
    assert sale.group == booked.group
    balances = fund_balances(fund)
    assert (balances["noncash_held"], balances["cash_on_hand"], balances["available_to_award"]) == (
        Decimal("0.00"),
        Decimal("12345.67"),
        Decimal("12345.67"),
    )
    assert (balances["received"], balances["sale_gains"], balances["net_received"]) == (
        Decimal("12000.00"),
        Decimal("345.67"),
        Decimal("12345.67"),
    )
    assert (balances["campaigns"][0]["sale_gains"], balances["campaigns"][0]["net"]) == (
        Decimal("345.67"),
        Decimal("12345.67"),
    )
    fund.position.refresh_from_db()
    assert fund.position.liquid == Decimal("12345.67")


def test_gifted_securities_sold_at_a_loss(fund, campaign, make_source):
    from fund.selectors import campaign_raised

    gift = make_source()
    services.ledger_record_noncash_gift(fund=fund, campaign=campaign, amount=Decimal("12000.00"), source=gift)
    services.ledger_record_noncash_sale(fund=fund, campaign=campaign, proceeds=Decimal("11500.00"), source=gift)

    assert ledger_table(fund)[2:] == [
        ("noncash_sale", "cash", None, "11500.00"),
        ("noncash_sale", "noncash_gains", "naloxone", "500.00"),
        ("noncash_sale", "noncash_assets", "naloxone", "-12000.00"),
    ]
    balances = fund_balances(fund)
    assert (balances["sale_gains"], balances["net_received"], balances["available_to_award"]) == (
        Decimal("-500.00"),
        Decimal("11500.00"),
        Decimal("11500.00"),
    )
    assert campaign_raised(campaign) == Decimal("11500.00")


def test_securities_sold_at_their_booked_value_write_no_gain_line(fund, make_source):
    gift = make_source()
    services.ledger_record_noncash_gift(fund=fund, amount=Decimal("800.00"), source=gift)
    services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("800.00"), source=gift)

    assert ledger_table(fund, transaction__kind="noncash_sale") == [
        ("noncash_sale", "cash", None, "800.00"),
        ("noncash_sale", "noncash_assets", None, "-800.00"),
    ]


def test_securities_are_sold_once_and_only_if_held(fund, make_source):
    gift = make_source()
    with pytest.raises(LedgerError, match="Nothing is held"):
        services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("10.00"), source=gift)
    services.ledger_record_noncash_gift(fund=fund, amount=Decimal("800.00"), source=gift)
    services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("900.00"), source=gift)
    with pytest.raises(LedgerError, match="Nothing is held"):
        services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("900.00"), source=gift)
    with pytest.raises(LedgerError, match="more than zero"):
        services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("0.00"), source=make_source())
    assert fund_balances(fund)["cash_on_hand"] == Decimal("900.00")


def test_pledge_and_instalment(fund, make_source):
    pledge = make_source()
    services.ledger_record_pledge(fund=fund, amount=Decimal("100000.00"), source=pledge)
    services.ledger_record_pledge_payment(fund=fund, amount=Decimal("25000.00"), source=make_source())

    assert ledger_table(fund) == [
        ("pledge", "pledges_receivable", None, "100000.00"),
        ("pledge", "donations_revenue", None, "-100000.00"),
        ("pledge_payment", "cash", None, "25000.00"),
        ("pledge_payment", "pledges_receivable", None, "-25000.00"),
    ]
    balances = fund_balances(fund)
    assert balances["received"] == Decimal("100000.00")
    assert balances["pledges_outstanding"] == Decimal("75000.00")
    # Promises are not money in the bank: only the paid instalment can be awarded.
    assert balances["available_to_award"] == Decimal("25000.00")


def test_the_same_gift_cannot_be_recorded_twice(fund, make_source):
    source = make_source()
    services.ledger_record_donation(fund=fund, amount=Decimal("50.00"), source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.ledger_record_donation(fund=fund, amount=Decimal("50.00"), source=source)
    assert fund_balances(fund)["received"] == Decimal("50.00")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00")])
def test_zero_or_negative_gift_is_refused(fund, make_source, amount):
    with pytest.raises(LedgerError):
        services.ledger_record_donation(fund=fund, amount=amount, source=make_source())


def test_refund_is_recorded_even_when_the_fund_is_fully_committed(fund, make_source):
    services.ledger_record_donation(fund=fund, amount=Decimal("1000.00"), source=make_source(), clearing_account="cash")
    services.ledger_record_award_committed(fund=fund, amount=Decimal("1000.00"), source=make_source())

    services.ledger_record_refund(fund=fund, amount=Decimal("400.00"), source=make_source(), clearing_account="cash")

    balances = fund_balances(fund)
    assert balances["available_to_award"] == Decimal("-400.00")
    fund.position.refresh_from_db()
    assert (fund.position.liquid, fund.position.payable, fund.position.ceiling) == (
        Decimal("600.00"),
        Decimal("1000.00"),
        Decimal("1000.00"),
    )
    # ...but nothing more can be promised until money comes in.
    with pytest.raises(LedgerError):
        services.ledger_record_award_committed(fund=fund, amount=Decimal("0.01"), source=make_source())


# --- Awards and payments ----------------------------------------------------------------------------------------


@pytest.fixture
def award_world(fund, make_source):
    """A funded fund, a round, an approved application with an owner, program staff and two finance officers."""
    from django.contrib.auth.models import Group

    from portal import roles
    from tests.factories.awards import ApprovedApplicationFactory, grantee_owner
    from tests.factories.grants import FundingRoundFactory
    from tests.factories.portal import UserFactory

    services.ledger_record_donation(
        fund=fund, amount=Decimal("50000.00"), source=make_source(), clearing_account="cash"
    )
    application = ApprovedApplicationFactory(round=FundingRoundFactory(fund=fund))
    people = {"owner": grantee_owner(application.organisation, first_name="Rosa", last_name="Delgado")}
    for key, role in [("staff", roles.PROGRAM_STAFF), ("finance_1", roles.FINANCE), ("finance_2", roles.FINANCE)]:
        people[key] = UserFactory()
        people[key].groups.add(Group.objects.get(name=role))
    return application, people


def _pay(tranche, fund, people):
    from grants.awards.payments import (
        disbursement_approve,
        disbursement_prepare,
        payment_batch_create,
        payment_batch_mark_paid,
    )

    disbursement = disbursement_approve(
        disbursement=disbursement_prepare(tranche=tranche, by=people["finance_1"]), by=people["finance_2"]
    )
    payment_batch_mark_paid(batch=payment_batch_create(fund=fund, by=people["finance_1"]), by=people["finance_2"])
    return disbursement


def test_award_approved_accepted_and_paid_in_two_tranches(fund, award_world):
    from django.utils import timezone

    from grants.awards.models import Award, Tranche
    from tests.factories.awards import accepted_award, two_tranches

    application, people = award_world
    award = accepted_award(
        application=application,
        staff=people["staff"],
        owner=people["owner"],
        amount="12000.00",
        tranches=two_tranches("12000.00"),
    )
    first, second = award.tranches.order_by("sequence")
    _pay(first, fund, people)
    Tranche.objects.filter(pk=second.pk).update(due_date=timezone.localdate())
    _pay(second, fund, people)

    assert ledger_table(fund, transaction__kind__in=["award_committed", "disbursement_paid"]) == [
        ("award_committed", "grants_expense", None, "12000.00"),
        ("award_committed", "grants_payable", None, "-12000.00"),
        ("disbursement_paid", "grants_payable", None, "6000.00"),
        ("disbursement_paid", "cash", None, "-6000.00"),
        ("disbursement_paid", "grants_payable", None, "6000.00"),
        ("disbursement_paid", "cash", None, "-6000.00"),
    ]
    balances = fund_balances(fund)
    assert (balances["committed"], balances["disbursed"], balances["cash_on_hand"], balances["available_to_award"]) == (
        Decimal("12000.00"),
        Decimal("12000.00"),
        Decimal("38000.00"),
        Decimal("38000.00"),
    )
    # Paid in full, but Active until its reports are approved (tests/awards/test_closing.py).
    assert Award.objects.get(pk=award.pk).status == Award.Status.ACCEPTED


def test_award_declined_after_approval(fund, award_world):
    from grants.awards.offers import award_offer
    from grants.awards.services import award_decline

    application, people = award_world
    award = award_offer(application=application, amount=Decimal("12000.00"), by=people["staff"])
    award_decline(award=award, by=people["owner"], reason="Project cancelled")

    assert ledger_table(fund, transaction__kind__in=["award_committed", "award_released"]) == [
        ("award_committed", "grants_expense", None, "12000.00"),
        ("award_committed", "grants_payable", None, "-12000.00"),
        ("award_released", "grants_payable", None, "12000.00"),
        ("award_released", "grants_expense", None, "-12000.00"),
    ]
    assert fund_balances(fund)["available_to_award"] == Decimal("50000.00")


def test_returned_payment(fund, award_world):
    from grants.awards.models import Tranche
    from grants.awards.payments import disbursement_mark_returned
    from tests.factories.awards import accepted_award

    application, people = award_world
    award = accepted_award(application=application, staff=people["staff"], owner=people["owner"], amount="12000.00")
    disbursement = _pay(award.tranches.get(), fund, people)
    disbursement_mark_returned(
        disbursement=disbursement, by=people["finance_1"], reason="R03 No account/unable to locate"
    )

    assert ledger_table(fund, transaction__kind__in=["disbursement_paid", "disbursement_returned"]) == [
        ("disbursement_paid", "grants_payable", None, "12000.00"),
        ("disbursement_paid", "cash", None, "-12000.00"),
        ("disbursement_returned", "cash", None, "12000.00"),
        ("disbursement_returned", "grants_payable", None, "-12000.00"),
    ]
    balances = fund_balances(fund)
    assert (balances["disbursed"], balances["outstanding_commitments"], balances["cash_on_hand"]) == (
        Decimal("0.00"),
        Decimal("12000.00"),
        Decimal("50000.00"),
    )
    assert award.tranches.get().status == Tranche.Status.SCHEDULED
