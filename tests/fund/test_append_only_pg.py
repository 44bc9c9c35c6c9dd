"""The database itself refuses edits and deletions of ledger and audit rows (PostgreSQL triggers)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from wagtail.models import ModelLogEntry

from fund import services
from fund.models import Entry, LedgerTransaction
from portal.audit import audit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def posted(fund, make_source):
    gift, _fee = services.ledger_record_donation(
        fund=fund, amount=Decimal("100.00"), fee=Decimal("3.20"), source=make_source()
    )
    return gift


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_of_a_ledger_entry_is_refused(posted):
    entry = posted.entries.order_by("pk").first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE fund_entry SET amount = amount + 1 WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == Decimal("100.00")


def test_raw_delete_of_a_ledger_entry_is_refused(posted):
    entry = posted.entries.order_by("pk").first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM fund_entry WHERE id = %s", [entry.pk])
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_raw_update_and_delete_of_a_ledger_transaction_are_refused(posted):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE fund_ledgertransaction SET memo = 'edited' WHERE id = %s", [posted.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM fund_ledgertransaction WHERE id = %s", [posted.pk])
    posted = LedgerTransaction.objects.get(pk=posted.pk)
    assert posted.memo != "edited"


def test_raw_update_and_delete_of_an_audit_entry_are_refused(fund):
    entry = audit(fund, "wagtail.edit", data={"note": "original"})
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE wagtailcore_modellogentry SET data = '{}' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM wagtailcore_modellogentry WHERE id = %s", [entry.pk])
    assert ModelLogEntry.objects.get(pk=entry.pk).data == {"note": "original"}


def test_a_new_ledger_row_is_still_written(posted, fund, make_source):
    services.ledger_record_payout(fund=fund, amount=Decimal("96.80"), source=make_source())
    assert LedgerTransaction.objects.filter(fund=fund).count() == 3
