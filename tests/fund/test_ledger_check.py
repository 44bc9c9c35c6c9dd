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
    # Corruption that the application can never write: straight SQL, as a bad migration or manual fix would.
    with connection.cursor() as cursor:
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
