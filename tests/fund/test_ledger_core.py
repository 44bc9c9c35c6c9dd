from decimal import Decimal

import pytest

from fund import services
from fund.ledger import LedgerError, Line, ledger_post, ledger_reverse
from fund.models import Entry, LedgerImmutableError, LedgerTransaction

pytestmark = pytest.mark.django_db


def test_ledger_rows_cannot_be_edited_or_deleted(fund, make_source):
    gift, _ = services.ledger_record_donation(fund=fund, amount=Decimal("10.00"), source=make_source())
    entry = gift.entries.first()

    gift.memo = "changed"
    with pytest.raises(LedgerImmutableError):
        gift.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        Entry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(LedgerImmutableError):
        LedgerTransaction.objects.all().delete()
    assert LedgerTransaction.objects.get(pk=gift.pk).memo == "Gift received"


def test_unbalanced_posting_is_refused(fund):
    with pytest.raises(LedgerError, match="sum to zero"):
        ledger_post(
            fund=fund, kind="donation", lines=[Line("cash", Decimal("10")), Line("donations_revenue", Decimal("-9.99"))]
        )


def test_a_transaction_is_reversed_once(fund, make_source):
    gift, _ = services.ledger_record_donation(
        fund=fund, amount=Decimal("10.00"), source=make_source(), clearing_account="cash"
    )
    reversal = ledger_reverse(original=gift)
    assert sorted(str(e.amount) for e in reversal.entries.all()) == ["-10.00", "10.00"]
    assert reversal.group == gift.group
    with pytest.raises(LedgerError):
        ledger_reverse(original=gift)
