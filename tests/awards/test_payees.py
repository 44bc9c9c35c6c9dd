"""Four eyes that see the payee: what was approved is what the payment file pays."""

import importlib

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from grants.awards.models import BankDetails, Disbursement
from grants.awards.payments import (
    PaymentError,
    disbursement_approve,
    disbursement_prepare,
    payment_batch_create,
    payment_batch_csv,
    payment_batch_mark_paid,
)
from grants.awards.services import bank_details_set
from tests.factories.awards import accepted_award

pytestmark = pytest.mark.django_db


def change_account(award, owner, account):
    return bank_details_set(
        organisation=award.organisation,
        by=owner,
        country="US",
        account_name="New name on the account",
        routing_number="021000021",
        account_number=account,
    )


@pytest.fixture
def approved(application, staff, owner, finance_1, finance_2):
    award = accepted_award(application=application, staff=staff, owner=owner)
    payment = disbursement_prepare(tranche=award.tranches.get(), by=finance_1)
    return disbursement_approve(disbursement=payment, by=finance_2)


def test_a_bank_change_after_approval_returns_the_payment_for_approval_and_tells_finance(
    approved, owner, finance_1, finance_2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_account(approved.tranche.award, owner, "99990000")

    approved.refresh_from_db()
    assert (approved.status, approved.approved_by, approved.payee_snapshot_encrypted) == ("pending", None, "")
    told = [m for m in mail.outbox if "after approval" in m.subject]
    assert told and set(told[0].to) == {finance_1.email, finance_2.email}
    assert "need approval again" in told[0].body
    with pytest.raises(PaymentError, match="no approved payments"):
        payment_batch_create(fund=approved.tranche.award.fund, by=finance_1)


def test_a_file_already_made_pays_the_account_that_was_approved(approved, owner, finance_1, finance_2):
    batch = payment_batch_create(fund=approved.tranche.award.fund, by=finance_1)
    change_account(approved.tranche.award, owner, "99990000")

    content = payment_batch_csv(batch=batch, by=finance_1)

    assert "000123456789" in content and "99990000" not in content
    assert Disbursement.objects.get(pk=approved.pk).status == "exported"
    with pytest.raises(PaymentError, match="another finance officer must mark it paid"):
        payment_batch_mark_paid(batch=batch, by=finance_1)
    assert payment_batch_mark_paid(batch=batch, by=finance_2).status == "paid"


def test_key_rotation_also_rotates_approved_payee_snapshots(approved, finance_1, settings):
    batch = payment_batch_create(fund=approved.tranche.award.fund, by=finance_1)
    old_key, new_key = settings.BANK_DETAILS_KEYS[0], Fernet.generate_key().decode()

    with override_settings(BANK_DETAILS_KEYS=[new_key, old_key]):
        call_command("rotate_bank_details_key")
    with override_settings(BANK_DETAILS_KEYS=[new_key]):
        assert "000123456789" in payment_batch_csv(batch=batch, by=finance_1)


def test_rows_from_before_countries_become_us_accounts_changed_when_last_saved(approved):
    from django.apps import apps

    migration = importlib.import_module("grants.awards.migrations.0005_payees_in_three_countries")
    details = approved.tranche.award.organisation.bank_details
    BankDetails.objects.filter(pk=details.pk).update(changed_at=None)

    migration.existing_details_are_american(apps, None)

    details.refresh_from_db()
    assert (details.country, details.changed_at) == ("US", details.updated_at)
