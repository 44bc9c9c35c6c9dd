"""Races that must never over-commit or pay twice. Real row locks: PostgreSQL only."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from fund.selectors import fund_balances
from grants.awards.models import Award
from grants.models import Application
from grants.review.decisions import DecisionError, decision_make
from grants.review.models import Decision
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money
from tests.factories.fund import FundFactory
from tests.factories.grants import ApplicationFactory, FundingRoundFactory
from tests.factories.portal import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _staff_user():
    from django.contrib.auth.models import Group

    from portal import roles

    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.PROGRAM_STAFF))
    return user


def _approve(application, staff, amount="3000.00"):
    """The approval path of the decision screens: the money is committed when the application is approved."""
    return lambda: decision_make(application=application, outcome="approve", amount=Decimal(amount), by=staff)


def test_forty_concurrent_approvals_never_exceed_available_money():
    fund = fund_with_money(FundFactory(slug="race"), "100000.00")
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("1000000.00"))
    applications = [
        ApplicationFactory(round=funding_round, status="in_review", requested_amount=Decimal("3000.00"))
        for _ in range(40)
    ]
    staff = _staff_user()

    results = run_concurrently([_approve(app, staff) for app in applications])

    successes = [r for r in results if isinstance(r, Decision)]
    refusals = [r for r in results if isinstance(r, DecisionError) and "available to award" in str(r)]
    assert len(successes) == 33
    assert len(refusals) == 7, [r for r in results if not isinstance(r, (Decision, DecisionError))]
    assert Award.objects.filter(status=Award.Status.PREPARED).count() == 33
    balances = fund_balances(fund)
    assert balances["committed"] == Decimal("99000.00")
    assert balances["committed"] <= balances["cash_on_hand"]
    assert balances["available_to_award"] == Decimal("1000.00")


def test_concurrent_approvals_never_exceed_the_round_budget():
    fund = fund_with_money(FundFactory(slug="race-round"), "100000.00")
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("10000.00"))
    applications = [
        ApplicationFactory(round=funding_round, status="in_review", requested_amount=Decimal("3000.00"))
        for _ in range(8)
    ]
    staff = _staff_user()

    results = run_concurrently([_approve(app, staff) for app in applications])

    assert sum(isinstance(r, Decision) for r in results) == 3
    assert funding_round.commitment.committed == Decimal("9000.00")
    assert Application.objects.filter(round=funding_round, status="approved").count() == 3


def _finance_user(**kwargs):
    from django.contrib.auth.models import Group

    from portal import roles

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=roles.FINANCE))
    return user


def test_two_approvers_and_two_payers_at_once_pay_once():
    from fund.models import LedgerTransaction
    from grants.awards.models import Disbursement
    from grants.awards.payments import (
        PaymentError,
        disbursement_approve,
        disbursement_prepare,
        payment_batch_create,
        payment_batch_mark_paid,
    )
    from tests.factories.awards import accepted_award, grantee_owner

    fund = fund_with_money(FundFactory(slug="race-pay"), "100000.00")
    application = ApprovedApplicationFactory(round=FundingRoundFactory(fund=fund))
    owner = grantee_owner(application.organisation, first_name="Rosa", last_name="Delgado")
    award = accepted_award(application=application, staff=_staff_user(), owner=owner, amount="8000.00")
    preparer, approver_a, approver_b = _finance_user(), _finance_user(), _finance_user()
    tranche = award.tranches.get()

    prepared = run_concurrently([lambda: disbursement_prepare(tranche=tranche, by=preparer)] * 2)
    assert prepared[0].pk == prepared[1].pk
    disbursement = prepared[0]

    approvals = run_concurrently(
        [
            lambda: disbursement_approve(disbursement=disbursement, by=approver_a),
            lambda: disbursement_approve(disbursement=disbursement, by=approver_b),
        ]
    )
    assert sum(isinstance(r, Disbursement) for r in approvals) == 1
    assert sum(isinstance(r, PaymentError) for r in approvals) == 1

    batches = run_concurrently([lambda: payment_batch_create(fund=fund, by=preparer)] * 2)
    batch = next(r for r in batches if not isinstance(r, Exception))
    assert sum(isinstance(r, PaymentError) for r in batches) == 1

    run_concurrently([lambda: payment_batch_mark_paid(batch=batch, by=approver_a)] * 2)
    assert LedgerTransaction.objects.filter(kind="disbursement_paid").count() == 1
    assert fund_balances(fund)["disbursed"] == Decimal("8000.00")
