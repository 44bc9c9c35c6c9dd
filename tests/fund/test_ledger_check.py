from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fund import services

pytestmark = pytest.mark.django_db


def test_ledger_check_passes_on_a_consistent_ledger(fund, make_source, capsys):
    services.ledger_record_donation(fund=fund, amount=Decimal("100.00"), fee=Decimal("3.20"), source=make_source())
    call_command("ledger_check")
    assert "Ledger check passed" in capsys.readouterr().out


def _raw(sql, params):
    # Corruption that the application can never write: straight SQL, as a bad migration or manual fix would. On
    # PostgreSQL the append-only triggers refuse it unless the repair switch is set for the transaction (the test's).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL portal.allow_append_only_change = 'on'")
        cursor.execute(sql, params)


def test_ledger_check_reports_an_unbalanced_transaction(fund, make_source, capsys):
    gift, _ = services.ledger_record_donation(fund=fund, amount=Decimal("100.00"), source=make_source())
    entry = gift.entries.get(amount__gt=0)
    _raw("UPDATE fund_entry SET amount = %s WHERE id = %s", [Decimal("90.00"), entry.pk])

    with pytest.raises(CommandError):
        call_command("ledger_check")
    out = capsys.readouterr().out
    assert f"Transaction #{gift.pk} (donation) does not balance" in out
    assert "position says 100.00 held, entries say 90.00" in out


def test_ledger_check_reports_an_orphan_money_event(fund, make_source, capsys):
    source = make_source()
    services.ledger_record_donation(fund=fund, amount=Decimal("100.00"), source=source)
    _raw("UPDATE fund_ledgertransaction SET source_id = %s WHERE source_id = %s", ["999999", str(source.pk)])

    with pytest.raises(CommandError):
        call_command("ledger_check")
    assert "portal.user:999999, which does not exist" in capsys.readouterr().out


def test_ledger_check_passes_with_gifts_of_securities_held_and_sold(fund, make_source, capsys):
    sold, held = make_source(), make_source()
    # Three entries whose cents are not exact in binary floating point (SQLite sums decimals as floats).
    services.ledger_record_noncash_gift(fund=fund, amount=Decimal("8000.00"), source=sold)
    services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("8212.40"), source=sold)
    services.ledger_record_noncash_gift(fund=fund, amount=Decimal("700.00"), source=held)
    call_command("ledger_check")
    out = capsys.readouterr().out
    assert "ok    noncash gifts are sold exactly once" in out
    assert "Ledger check passed" in out


def test_ledger_check_reports_a_sale_that_does_not_clear_its_gift(fund, make_source, capsys):
    gift = make_source()
    services.ledger_record_noncash_gift(fund=fund, amount=Decimal("5000.00"), source=gift)
    sale = services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("5100.00"), source=gift)
    # Still balanced and the cash is right, but only 4,000 of the 5,000 booked leaves non-cash assets.
    _raw(
        "UPDATE fund_entry SET amount = %s WHERE transaction_id = %s AND amount = %s",
        [Decimal("-4000.00"), sale.pk, Decimal("-5000.00")],
    )
    _raw(
        "UPDATE fund_entry SET amount = %s WHERE transaction_id = %s AND amount = %s",
        [Decimal("-1100.00"), sale.pk, Decimal("-100.00")],
    )

    with pytest.raises(CommandError):
        call_command("ledger_check")
    out = capsys.readouterr().out
    assert "does not balance" not in out
    assert f"The sale of gifted securities for portal.user:{gift.pk} left 1000.00 in non-cash assets" in out


def test_ledger_check_reports_securities_sold_beyond_what_was_booked(fund, make_source, capsys):
    gift = make_source()
    booked = services.ledger_record_noncash_gift(fund=fund, amount=Decimal("5000.00"), source=gift)
    services.ledger_record_noncash_sale(fund=fund, proceeds=Decimal("5000.00"), source=gift)
    # The gift's booking shrinks to 4,000 afterwards (still balanced): the sale took out 1,000 the fund never held.
    _raw("UPDATE fund_entry SET amount = %s WHERE transaction_id = %s AND amount > 0", [Decimal("4000.00"), booked.pk])
    _raw("UPDATE fund_entry SET amount = %s WHERE transaction_id = %s AND amount < 0", [Decimal("-4000.00"), booked.pk])

    with pytest.raises(CommandError):
        call_command("ledger_check")
    out = capsys.readouterr().out
    assert "does not balance" not in out
    assert f"Non-cash assets for portal.user:{gift.pk} are -1000.00: more was sold than the gift booked." in out
    assert f"Fund {fund.name}: non-cash assets are -1000.00, below zero." in out
