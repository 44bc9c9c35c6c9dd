from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from fund.selectors import fund_balances
from grants.awards.models import Award, Disbursement, Tranche
from grants.awards.payments import (
    PaymentError,
    disbursement_approve,
    disbursement_mark_returned,
    disbursement_prepare,
    payment_batch_create,
    payment_batch_csv,
    payment_batch_mark_paid,
)
from tests.factories.awards import accepted_award, two_tranches

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(application, staff, owner):
    return accepted_award(application=application, staff=staff, owner=owner, tranches=two_tranches("10000.00"))


def test_preparer_cannot_approve_their_own_payment(award, finance_1):
    disbursement = disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1)

    with pytest.raises(PaymentError, match="another finance officer"):
        disbursement_approve(disbursement=disbursement, by=finance_1)
    # The database refuses it too, whatever the code path.
    disbursement.approved_by = finance_1
    with pytest.raises(IntegrityError), transaction.atomic():
        disbursement.save()


def test_only_finance_prepares_and_approves(award, staff, finance_1, owner):
    tranche = award.tranches.get(sequence=1)
    for user in (staff, owner):
        with pytest.raises(PermissionDenied):
            disbursement_prepare(tranche=tranche, by=user)
    disbursement = disbursement_prepare(tranche=tranche, by=finance_1)
    with pytest.raises(PermissionDenied):
        disbursement_approve(disbursement=disbursement, by=staff)


def test_double_click_on_prepare_returns_the_same_payment(award, finance_1):
    tranche = award.tranches.get(sequence=1)
    first = disbursement_prepare(tranche=tranche, by=finance_1)
    second = disbursement_prepare(tranche=tranche, by=finance_1)
    assert first.pk == second.pk
    assert first.idempotency_key == f"tranche-{tranche.pk}-1"


def test_tranche_on_a_future_date_or_before_acceptance_is_not_payable(application, staff, owner, finance_1):
    from tests.factories.awards import make_award

    award = make_award(application=application, by=staff, tranches=two_tranches("10000.00"))
    with pytest.raises(PaymentError, match="not accepted"):
        disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1)
    award = accepted_award(application=application, staff=staff, owner=owner) if False else award
    from grants.awards.services import award_accept

    award_accept(award=award, by=owner, typed_name="Rosa Delgado", agreed=True, ip=None)
    with pytest.raises(PaymentError, match="bank details"):
        disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1)
    with pytest.raises(PaymentError, match="released on"):
        disbursement_prepare(tranche=award.tranches.get(sequence=2), by=finance_1)


def test_grantee_with_overdue_report_is_not_paid(award, finance_1, monkeypatch):
    monkeypatch.setattr("grants.awards.selectors.has_overdue_reports", lambda organisation: True)
    with pytest.raises(PaymentError, match="overdue report"):
        disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1)


def test_paying_a_batch_posts_once_and_the_award_stays_active_while_reports_are_due(fund, award, finance_1, finance_2):
    first, second = award.tranches.order_by("sequence")
    Tranche.objects.filter(pk=second.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    for tranche in (first, second):
        disbursement_approve(disbursement=disbursement_prepare(tranche=tranche, by=finance_1), by=finance_2)
    batch = payment_batch_create(fund=fund, by=finance_1)
    assert set(batch.disbursements.values_list("status", flat=True)) == {"exported"}
    assert batch.total == Decimal("10000.00")

    payment_batch_mark_paid(batch=batch, by=finance_2)
    payment_batch_mark_paid(batch=batch, by=finance_2)

    # Every tranche is paid but the reports from the round's plan are not approved yet: the award is still Active.
    assert Award.objects.get(pk=award.pk).status == Award.Status.ACCEPTED
    balances = fund_balances(fund)
    assert balances["disbursed"] == Decimal("10000.00")
    assert balances["outstanding_commitments"] == Decimal("0.00")
    assert balances["cash_on_hand"] == Decimal("90000.00")
    with pytest.raises(PaymentError, match="no approved payments"):
        payment_batch_create(fund=fund, by=finance_1)


def test_returned_payment_reverses_and_reopens_the_tranche(fund, award, finance_1, finance_2):
    tranche = award.tranches.get(sequence=1)
    disbursement = disbursement_approve(disbursement=disbursement_prepare(tranche=tranche, by=finance_1), by=finance_2)
    payment_batch_mark_paid(batch=payment_batch_create(fund=fund, by=finance_1), by=finance_2)

    disbursement_mark_returned(disbursement=disbursement, by=finance_1, reason="R03 No account")
    disbursement_mark_returned(disbursement=disbursement, by=finance_1, reason="R03 No account")

    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.SCHEDULED
    assert fund_balances(fund)["disbursed"] == Decimal("0.00")
    assert fund_balances(fund)["cash_on_hand"] == Decimal("100000.00")
    again = disbursement_prepare(tranche=tranche, by=finance_1)
    assert again.pk != disbursement.pk
    assert again.idempotency_key == f"tranche-{tranche.pk}-2"


def test_csv_export_decrypts_with_an_audit_entry(fund, award, finance_1, finance_2):
    from wagtail.models import ModelLogEntry

    disbursement_approve(
        disbursement=disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1), by=finance_2
    )
    batch = payment_batch_create(fund=fund, by=finance_1)

    content = payment_batch_csv(batch=batch, by=finance_1)

    assert "000123456789" in content and "5000.00" in content
    reveal = ModelLogEntry.objects.filter(action="awards.bankdetails.reveal").latest("timestamp")
    assert reveal.user_id == finance_1.pk
    assert reveal.data["purpose"] == f"payment file {batch.reference}"


def test_terminating_releases_the_unpaid_remainder(fund, award, staff, finance_1, finance_2):
    from grants.awards.services import award_terminate

    disbursement_approve(
        disbursement=disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1), by=finance_2
    )
    payment_batch_mark_paid(batch=payment_batch_create(fund=fund, by=finance_1), by=finance_2)

    award_terminate(award=award, by=staff, reason="Program ended")

    balances = fund_balances(fund)
    assert balances["committed"] == Decimal("5000.00")
    assert balances["outstanding_commitments"] == Decimal("0.00")
    assert balances["available_to_award"] == Decimal("95000.00")
    assert Disbursement.objects.count() == 1


def test_ledger_check_passes_after_a_full_payment_story(fund, award, finance_1, finance_2):
    from django.core.management import call_command

    disbursement = disbursement_approve(
        disbursement=disbursement_prepare(tranche=award.tranches.get(sequence=1), by=finance_1), by=finance_2
    )
    payment_batch_mark_paid(batch=payment_batch_create(fund=fund, by=finance_1), by=finance_2)
    disbursement_mark_returned(disbursement=disbursement, by=finance_1, reason="R02 Account closed")

    call_command("ledger_check", verbosity=0)


def test_tranche_waiting_on_a_report_is_released_when_the_report_is_approved(
    application, staff, owner, finance_1, monkeypatch
):
    from grants.awards.services import TrancheSpec

    today = timezone.localdate()
    award = accepted_award(
        application=application,
        staff=staff,
        owner=owner,
        tranches=[
            TrancheSpec(Decimal("6000.00"), today),
            TrancheSpec(Decimal("4000.00"), today, "on_report_approval", 1),
        ],
    )
    second = award.tranches.get(sequence=2)
    with pytest.raises(PaymentError, match="report 1"):
        disbursement_prepare(tranche=second, by=finance_1)

    # The impact app answers this hook; here the report is approved.
    monkeypatch.setattr("grants.awards.selectors.report_approved", lambda award, number: number == 1)
    assert disbursement_prepare(tranche=second, by=finance_1).amount == Decimal("4000.00")


def test_database_refuses_a_commitment_the_fund_cannot_afford(fund):
    from fund.models import FundPosition

    position = FundPosition.objects.get(fund=fund)
    position.payable = position.ceiling + Decimal("0.01")
    with pytest.raises(IntegrityError), transaction.atomic():
        position.save()


def test_expire_award_offers_command(fund, application, staff, capsys):
    from django.core.management import call_command

    from tests.factories.awards import make_award

    make_award(application=application, by=staff, offer_expires_on=timezone.localdate() - timedelta(days=2))
    call_command("expire_award_offers")
    assert "1 offer(s) expired." in capsys.readouterr().out
    assert fund_balances(fund)["committed"] == Decimal("0.00")
