"""The demo's money reconciles: ledger_check passes on it, and fails once a copy of it is corrupted."""

from importlib import import_module

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fund.models import Fund
from fund.selectors import fund_balances
from grants.awards.models import Award, Disbursement, PaymentBatch

pytestmark = pytest.mark.django_db

# The sections the awards demo builds on (review adds panels and scores, which awards do not read); the payments
# come after the impact reports, since an overdue report holds a grantee's payments.
SECTIONS = [
    "applicants.demo",
    "fund.demo",
    "grants.demo",
    "grants.awards.demo",
    "grants.impact.demo",
    "grants.awards.demo_payments",
]


@pytest.fixture
def demo(db):
    from portal import demo as portal_demo

    ctx = portal_demo.DemoContext()
    portal_demo.seed(ctx)
    for dotted in SECTIONS:
        try:
            module = import_module(dotted)
        except ModuleNotFoundError:
            continue
        module.seed(ctx)
    return ctx


def test_demo_has_awards_in_every_state_one_paid_batch_and_is_idempotent(demo):
    from django.db.models import Sum

    from fund.models import LedgerTransaction

    assert set(Award.objects.values_list("status", flat=True)) == set(Award.Status.values)
    assert Award.objects.count() == 9
    assert PaymentBatch.objects.get().status == "paid"
    paid = Disbursement.objects.filter(status="paid")
    assert paid.count() == 2
    balances = fund_balances(Fund.objects.get(slug="millbrook"))
    assert balances["disbursed"] == paid.aggregate(t=Sum("amount"))["t"]
    assert balances["available_to_award"] == balances["cash_on_hand"] - balances["outstanding_commitments"]

    before = LedgerTransaction.objects.count(), Award.objects.count(), Disbursement.objects.count()
    import_module("grants.awards.demo").seed(demo)
    import_module("grants.awards.demo_payments").seed(demo)
    assert (LedgerTransaction.objects.count(), Award.objects.count(), Disbursement.objects.count()) == before


def test_ledger_check_passes_on_the_demo_and_fails_on_a_corrupted_copy(demo, capsys):
    call_command("ledger_check")
    assert "Ledger check passed" in capsys.readouterr().out

    paid = Disbursement.objects.filter(status="paid").first()
    with connection.cursor() as cursor:  # a payment quietly "un-paid" outside the services
        cursor.execute("UPDATE awards_disbursement SET status = 'approved' WHERE id = %s", [paid.pk])

    with pytest.raises(CommandError, match="problem"):
        call_command("ledger_check")
    out = capsys.readouterr().out
    assert f"Disbursement #{paid.pk} is approved but the ledger shows it paid." in out
    assert "FAIL  paid tranches have one paid disbursement" in out
