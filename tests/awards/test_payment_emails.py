"""Everyone learns what needs them: a prepared payment is announced to the other finance officers; the grantee hears
when a payment is sent and when the bank returns it. Emails go after commit, through the configured base URL."""

import pytest
from django.core import mail

from grants.awards.payments import (
    disbursement_approve,
    disbursement_mark_returned,
    disbursement_prepare,
    payment_batch_create,
    payment_batch_mark_paid,
)
from portal import roles
from tests.factories.awards import accepted_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(application, staff, owner):
    return accepted_award(application=application, staff=staff, owner=owner, amount="10000.00")


def test_a_prepared_payment_is_announced_to_the_other_finance_officers(
    award, finance_1, finance_2, mfa_user_factory, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://fund.example.org"
    mfa_user_factory(roles.PROGRAM_STAFF)  # not finance: not told
    with django_capture_on_commit_callbacks(execute=True):
        disbursement = disbursement_prepare(tranche=award.tranches.get(), by=finance_1)
    (email,) = mail.outbox
    assert email.to == [finance_2.email]
    assert "Marcus Bell prepared payment 1 of $10,000.00" in email.body
    assert f"https://fund.example.org/admin/money/payments/{disbursement.pk}/approve/" in email.body


def test_the_grantee_hears_when_a_payment_is_sent_and_when_it_comes_back(
    award, fund, owner, finance_1, finance_2, django_capture_on_commit_callbacks
):
    disbursement = disbursement_approve(
        disbursement=disbursement_prepare(tranche=award.tranches.get(), by=finance_1), by=finance_2
    )
    batch = payment_batch_create(fund=fund, by=finance_1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_batch_mark_paid(batch=batch, by=finance_2)
    (sent,) = mail.outbox
    assert sent.to == [owner.email] and "Payment sent" in sent.subject and "$10,000.00" in sent.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disbursement_mark_returned(disbursement=disbursement, by=finance_1, reason="R03 No account")
    (returned,) = mail.outbox
    assert returned.to == [owner.email] and "R03 No account" in returned.body


def test_nothing_is_sent_when_the_payment_is_rolled_back(
    award, finance_1, finance_2, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                disbursement_prepare(tranche=award.tranches.get(), by=finance_1)
                raise RuntimeError("the request failed after preparing")
    assert callbacks == [] and mail.outbox == []
