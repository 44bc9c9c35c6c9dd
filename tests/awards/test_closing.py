"""Tranches and reports: a tranche waiting on a report is released when the report is approved; an award is Active
while anything is outstanding and Closed only once every report is approved (the final one included) and every
tranche is paid or cancelled; closing releases the unpaid remainder to the fund through the ledger."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from fund.selectors import fund_balances
from grants.awards.lifecycle import award_close_if_complete, outstanding, tranche_cancel
from grants.awards.models import Award, Tranche
from grants.awards.payments import (
    disbursement_approve,
    disbursement_mark_returned,
    disbursement_prepare,
    payment_batch_create,
    payment_batch_mark_paid,
)
from grants.awards.selectors import tranche_payable
from grants.awards.services import TrancheSpec
from grants.impact.models import ImpactReport
from grants.impact.services import impact_report_approve, impact_report_submit
from tests.factories.awards import accepted_award
from tests.fund.conftest import ledger_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(fund, funding_round, application, staff, owner):
    """10,000 in two tranches (on acceptance, on approval of report 1); the round asks for two half-yearly reports."""
    funding_round.report_every_months = 6
    funding_round.save()
    today = timezone.localdate()
    return accepted_award(
        application=application,
        staff=staff,
        owner=owner,
        amount="10000.00",
        tranches=[
            TrancheSpec(Decimal("6000.00"), today),
            TrancheSpec(Decimal("4000.00"), today, "on_report_approval", 1),
        ],
    )


def _pay(tranche, fund, finance_1, finance_2):
    disbursement = disbursement_approve(disbursement=disbursement_prepare(tranche=tranche, by=finance_1), by=finance_2)
    payment_batch_mark_paid(batch=payment_batch_create(fund=fund, by=finance_1), by=finance_2)
    return disbursement


def _approve(award, number, owner, staff):
    report = ImpactReport.objects.get(award=award, number=number)
    impact_report_submit(report=report, by=owner)
    return impact_report_approve(report=report, by=staff)


def test_approving_report_1_releases_the_tranche_waiting_on_it(award, owner, staff, django_capture_on_commit_callbacks):
    first, second = award.tranches.order_by("sequence")
    assert first.released_at is not None  # released on acceptance
    assert second.released_at is None
    assert tranche_payable(second) == (False, "Waiting for report 1 to be approved.")

    with django_capture_on_commit_callbacks(execute=True):
        _approve(award, 1, owner, staff)

    second.refresh_from_db()
    assert second.released_at is not None and tranche_payable(second) == (True, "")
    entry = ModelLogEntry.objects.get(action="awards.tranche.release", object_id=str(award.pk))
    assert entry.data["tranche"] == 2
    approved = next(m for m in mail.outbox if "approved impact report 1" in m.body)
    assert "Payment 2 ($4,000.00) is now released" in approved.body


def test_the_award_stays_active_until_the_final_report_is_approved_then_closes(
    award, fund, owner, staff, finance_1, finance_2, django_capture_on_commit_callbacks
):
    first, second = award.tranches.order_by("sequence")
    _pay(first, fund, finance_1, finance_2)
    _approve(award, 1, owner, staff)
    _pay(second, fund, finance_1, finance_2)
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED and award.get_status_display() == "Active"
    assert outstanding(award) == ["Final report 2 is not approved yet."]

    with django_capture_on_commit_callbacks(execute=True):
        _approve(award, 2, owner, staff)

    award.refresh_from_db()
    assert (award.status, award.get_status_display(), award.amount) == ("closed", "Closed", Decimal("10000.00"))
    assert ModelLogEntry.objects.filter(action="awards.award.close", object_id=str(award.pk)).exists()
    assert not ledger_table(fund, transaction__kind="award_released")  # everything was paid: nothing to release
    assert any("is now closed" in m.body for m in mail.outbox)
    call_command("ledger_check")


def test_closing_releases_a_cancelled_tranche_to_the_fund(award, fund, owner, staff, finance_1, finance_2):
    first, second = award.tranches.order_by("sequence")
    _pay(first, fund, finance_1, finance_2)
    available = fund_balances(fund)["available_to_award"]
    tranche_cancel(tranche=second, by=staff, reason="The project cost less than planned")
    assert fund_balances(fund)["available_to_award"] == available  # still committed while the award is open
    _approve(award, 1, owner, staff)
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED  # report 2 is still due

    _approve(award, 2, owner, staff)

    award.refresh_from_db()
    assert (award.status, award.amount, award.approved_amount) == ("closed", Decimal("6000.00"), Decimal("10000.00"))
    assert ledger_table(fund, transaction__kind="award_released") == [
        ("award_released", "grants_payable", None, "4000.00"),
        ("award_released", "grants_expense", None, "-4000.00"),
    ]
    assert fund_balances(fund)["available_to_award"] == available + Decimal("4000.00")
    assert award.round.commitment.committed == Decimal("6000.00")
    call_command("ledger_check")


def test_a_payment_in_flight_or_a_scheduled_tranche_keeps_the_award_open(award, fund, owner, staff, finance_1):
    _approve(award, 1, owner, staff)
    _approve(award, 2, owner, staff)
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED  # nothing paid yet
    first = award.tranches.get(sequence=1)
    disbursement_prepare(tranche=first, by=finance_1)
    assert outstanding(award) == [
        "Tranche 1 is not paid yet.",
        "Tranche 2 is not paid yet.",
        "A payment is in progress.",
    ]
    assert award_close_if_complete(award=award, by=staff) is None


def test_a_payment_returned_after_closing_makes_the_award_active_again(award, fund, owner, staff, finance_1, finance_2):
    first, second = award.tranches.order_by("sequence")
    _pay(first, fund, finance_1, finance_2)
    _approve(award, 1, owner, staff)
    paid_second = _pay(second, fund, finance_1, finance_2)
    _approve(award, 2, owner, staff)
    assert Award.objects.get(pk=award.pk).status == Award.Status.CLOSED

    disbursement_mark_returned(disbursement=paid_second, by=finance_1, reason="R03 No account")

    assert Award.objects.get(pk=award.pk).status == Award.Status.ACCEPTED
    assert Tranche.objects.get(pk=second.pk).status == Tranche.Status.SCHEDULED
    call_command("ledger_check")


def test_staff_cancel_a_tranche_through_a_confirmation_page(client, award, staff):
    second = award.tranches.get(sequence=2)
    url = f"/admin/money/tranches/{second.pk}/cancel/"
    client.force_login(staff)
    page = client.get(url)
    assert b"will not be paid" in page.content and b"closing releases it to the fund" in page.content
    assert client.post(url, {"reason": "Cheaper", "confirmed": ""}).status_code == 200  # not confirmed: asks again
    assert Tranche.objects.get(pk=second.pk).status == Tranche.Status.SCHEDULED
    missing_reason = client.post(url, {"confirmed": "yes", "reason": ""})
    assert missing_reason.status_code == 200 and b"This field is required." in missing_reason.content
    client.post(url, {"confirmed": "yes", "reason": "Cheaper"})
    assert Tranche.objects.get(pk=second.pk).status == Tranche.Status.CANCELLED
