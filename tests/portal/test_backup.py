"""A backup restores into a fresh database with its files, and the restored ledger passes ledger_check."""

import os
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fund.donations.models import Donation, Receipt
from fund.models import LedgerTransaction
from tests.factories.cms import record_gift
from tests.factories.fund import CampaignFactory

ROOT = Path(__file__).resolve().parents[2]


def some_money_with_receipts(finance_user):
    campaign = CampaignFactory()
    for amount in ("25.00", "40.00", "1250.00"):
        record_gift(campaign=campaign, amount=Decimal(amount), by=finance_user)
    from fund.donations.receipts import receipt_issue_for_donation

    for donation in Donation.objects.all():
        receipt_issue_for_donation(donation=donation, send=False)
    assert Receipt.objects.exclude(pdf="").count() == 3


def ledger_check(database_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", "ledger_check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def finance_user(mfa_user_factory):
    from portal import roles

    return mfa_user_factory(roles.FINANCE)


def backup_and_restore(tmp_path, database_url):
    out = StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)
    [folder] = (tmp_path / "backups").iterdir()
    assert f"Backup written to {folder}" in out.getvalue()
    checked = StringIO()
    call_command("restore", str(folder), stdout=checked)  # without --yes: only checked
    assert "Run again with --yes" in checked.getvalue()
    call_command(
        "restore",
        str(folder),
        "--yes",
        "--database-url",
        database_url,
        "--files-to",
        str(tmp_path / "files"),
        stdout=StringIO(),
    )
    return folder


@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_restores_with_its_files_and_passes_ledger_check(tmp_path, finance_user):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path")
    some_money_with_receipts(finance_user)
    restored = tmp_path / "restored.sqlite3"
    backup_and_restore(tmp_path, f"sqlite:///{restored}")
    with sqlite3.connect(restored) as db:
        assert db.execute("SELECT count(*) FROM donations_donation").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM fund_ledgertransaction").fetchone()[0] == (
            LedgerTransaction.objects.count()
        )
        pdfs = [row[0] for row in db.execute("SELECT pdf FROM donations_receipt")]
    for name in pdfs:
        assert (tmp_path / "files" / "private" / name).read_bytes().startswith(b"%PDF")
    result = ledger_check(f"sqlite:///{restored}")
    assert result.returncode == 0 and "Ledger check passed" in result.stdout, result.stdout + result.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_into_a_fresh_database_and_passes_ledger_check(tmp_path, finance_user):
    some_money_with_receipts(finance_user)
    db = connection.settings_dict
    name = f"portal_restore_{uuid.uuid4().hex[:8]}"
    server = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        backup_and_restore(tmp_path, f"{server}/{name}")
        result = ledger_check(f"{server}/{name}")
        assert result.returncode == 0 and "Ledger check passed" in result.stdout, result.stdout + result.stderr
        env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
        count = subprocess.run(
            ["psql", f"{server}/{name}", "-tAc", "SELECT count(*) FROM donations_donation"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert count.stdout.strip() == "3"
        names = subprocess.run(
            ["psql", f"{server}/{name}", "-tAc", "SELECT pdf FROM donations_receipt"],
            env=env,
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len(names) == 3  # (the private folder also holds other tests' files: check the three it names)
        for pdf in names:
            assert (tmp_path / "files" / "private" / pdf).read_bytes().startswith(b"%PDF")
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused(tmp_path, finance_user):
    call_command("backup", "--to", str(tmp_path), stdout=StringIO())
    [folder] = tmp_path.iterdir()
    with open(folder / "files.tar.gz", "ab") as f:
        f.write(b"garbage")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(folder), "--yes", "--database-url", f"sqlite:///{tmp_path}/x.sqlite3")
