"""Whatever sequence of money events happens, the fund position equals the entries and never promises more than held."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fund import services
from fund.checks import check_fund_positions, check_noncash_gifts_are_sold_exactly_once, check_transactions_balance
from fund.ledger import LedgerError
from fund.models import FundPosition
from fund.selectors import fund_balances
from tests.factories.fund import FundFactory
from tests.factories.portal import UserFactory

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
events = st.lists(
    st.tuples(st.sampled_from(["gift", "stock", "sell", "refund", "commit", "release", "pay"]), amounts),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(events=events)
def test_position_tracks_entries_and_commitments_never_exceed_money_held(events):
    fund = FundFactory()
    source = UserFactory()
    open_commitments = Decimal("0.00")
    unsold = []  # (source, value booked) of gifts of securities not yet sold
    for kind, amount in events:
        before = fund_balances(fund)
        if kind == "gift":
            services.ledger_record_donation(fund=fund, amount=amount, source=UserFactory(), clearing_account="cash")
        elif kind == "stock":
            gift = UserFactory()
            services.ledger_record_noncash_gift(fund=fund, amount=amount, source=gift)
            unsold.append((gift, amount))
            # Shares are not money: nothing more may be promised until they are sold.
            assert fund_balances(fund)["available_to_award"] == before["available_to_award"]
        elif kind == "sell" and unsold:
            gift, _booked = unsold.pop(0)
            services.ledger_record_noncash_sale(fund=fund, proceeds=amount, source=gift)
            assert fund_balances(fund)["available_to_award"] == before["available_to_award"] + amount
        elif kind == "refund":
            services.ledger_record_refund(fund=fund, amount=amount, source=UserFactory(), clearing_account="cash")
        elif kind == "commit":
            try:
                services.ledger_record_award_committed(fund=fund, amount=amount, source=UserFactory())
                assert amount <= before["available_to_award"]
                open_commitments += amount
            except LedgerError:
                assert amount > before["available_to_award"]
        elif kind == "release" and open_commitments >= amount:
            services.ledger_record_award_released(fund=fund, amount=amount, source=source)
            open_commitments -= amount
        elif kind == "pay" and open_commitments >= amount:
            services.ledger_record_disbursement_paid(fund=fund, amount=amount, source=UserFactory())
            open_commitments -= amount
        position = FundPosition.objects.filter(fund=fund).first()
        if position is not None:
            assert position.payable <= position.ceiling
    assert list(check_fund_positions()) == []
    assert list(check_transactions_balance()) == []
    assert list(check_noncash_gifts_are_sold_exactly_once()) == []
    assert fund_balances(fund)["noncash_held"] == sum((booked for _gift, booked in unsold), Decimal("0.00"))
    assert fund_balances(fund)["outstanding_commitments"] == open_commitments
