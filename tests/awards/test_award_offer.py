from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from fund.selectors import fund_balances
from grants.awards.models import Award, RoundCommitment, Tranche
from grants.awards.offers import award_offer
from grants.awards.services import (
    AwardError,
    InsufficientFunds,
    TrancheSpec,
    award_accept,
    award_decline,
    award_expire,
    award_revise_offer,
    award_terminate,
    expire_overdue_offers,
    typed_name_matches,
)
from tests.factories.awards import ApprovedApplicationFactory, two_tranches
from tests.fund.conftest import ledger_table

pytestmark = pytest.mark.django_db


def test_offer_commits_the_amount_in_the_ledger_and_the_round(fund, application, staff):
    award = award_offer(application=application, amount=Decimal("12000.00"), conditions="Quarterly reports", by=staff)

    assert award.status == Award.Status.OFFERED
    assert ledger_table(fund, transaction__kind="award_committed") == [
        ("award_committed", "grants_expense", None, "12000.00"),
        ("award_committed", "grants_payable", None, "-12000.00"),
    ]
    assert fund_balances(fund)["available_to_award"] == Decimal("88000.00")
    assert RoundCommitment.objects.get(round=application.round).committed == Decimal("12000.00")
    # Without a schedule, the one proposed from the round's quarterly reporting plan: half on acceptance, half once
    # report 1 is approved (never the whole award on the day).
    assert list(award.tranches.values_list("amount", "condition", "report_number")) == [
        (Decimal("6000.00"), "on_acceptance", None),
        (Decimal("6000.00"), "on_report_approval", 1),
    ]


def test_offer_above_available_money_is_refused_with_the_available_amount(fund, funding_round, staff):
    funding_round.budget = Decimal("500000.00")
    funding_round.save()
    application = ApprovedApplicationFactory(round=funding_round)

    with pytest.raises(InsufficientFunds, match=r"Only \$100,000.00 is available to award in this fund"):
        award_offer(application=application, amount=Decimal("100000.01"), by=staff)
    assert not Award.objects.exists()
    assert fund_balances(fund)["committed"] == Decimal("0.00")


def test_offer_above_round_budget_is_refused(fund, funding_round, staff):
    award_offer(application=ApprovedApplicationFactory(round=funding_round), amount=Decimal("50000.00"), by=staff)

    with pytest.raises(InsufficientFunds, match=r"Only \$10,000.00 is left in this round's budget"):
        award_offer(application=ApprovedApplicationFactory(round=funding_round), amount=Decimal("10000.01"), by=staff)


def test_application_has_one_active_award(application, staff):
    award_offer(application=application, amount=Decimal("1000.00"), by=staff)
    with pytest.raises(AwardError):
        award_offer(application=application, amount=Decimal("1000.00"), by=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        first = Award.objects.get()
        first.pk = None
        first.save()


def test_declined_application_cannot_be_awarded(application, staff):
    application.status = "declined"
    application.save()
    with pytest.raises(AwardError):
        award_offer(application=application, amount=Decimal("1000.00"), by=staff)


def test_tranches_must_add_up_to_the_award(application, staff):
    today = timezone.localdate()
    with pytest.raises(AwardError, match="add up to 9999.99"):
        award_offer(
            application=application,
            amount=Decimal("10000.00"),
            by=staff,
            tranches=[TrancheSpec(Decimal("5000.00"), today), TrancheSpec(Decimal("4999.99"), today)],
        )
    with pytest.raises(AwardError, match="which report"):
        award_offer(
            application=application,
            amount=Decimal("10000.00"),
            by=staff,
            tranches=[TrancheSpec(Decimal("10000.00"), today, "on_report_approval")],
        )
    assert not Award.objects.exists()


def test_owner_accepts_with_typed_name_and_ip(application, staff, owner):
    award = award_offer(
        application=application, amount=Decimal("10000.00"), by=staff, tranches=two_tranches("10000.00")
    )

    with pytest.raises(AwardError, match="full name"):
        award_accept(award=award, by=owner, typed_name="Someone Else", agreed=True, ip="203.0.113.9")
    with pytest.raises(AwardError, match="agree"):
        award_accept(award=award, by=owner, typed_name="Rosa Delgado", agreed=False, ip="203.0.113.9")
    award = award_accept(award=award, by=owner, typed_name="  rosa  DELGADO ", agreed=True, ip="203.0.113.9")

    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    assert (award.accepted_name, award.accepted_ip, award.accepted_by) == ("rosa  DELGADO", "203.0.113.9", owner)
    assert award.accepted_at is not None


def test_member_who_is_not_owner_and_staff_cannot_accept(application, staff):
    from tests.factories.applicants import MembershipFactory

    member = MembershipFactory(organisation=application.organisation, role="member").user
    award = award_offer(application=application, amount=Decimal("10000.00"), by=staff)
    for user in (member, staff):
        with pytest.raises(PermissionDenied):
            award_accept(award=award, by=user, typed_name=user.get_full_name(), agreed=True, ip=None)


def test_decline_releases_the_whole_commitment(fund, application, staff, owner):
    award = award_offer(application=application, amount=Decimal("10000.00"), by=staff)
    award_decline(award=award, by=owner, reason="We merged with another group")

    assert ledger_table(fund, transaction__kind="award_released") == [
        ("award_released", "grants_payable", None, "10000.00"),
        ("award_released", "grants_expense", None, "-10000.00"),
    ]
    assert fund_balances(fund)["available_to_award"] == Decimal("100000.00")
    assert RoundCommitment.objects.get(round=application.round).committed == Decimal("0.00")
    assert set(award.tranches.values_list("status", flat=True)) == {Tranche.Status.CANCELLED}
    # The application can be offered again later.
    award_offer(application=application, amount=Decimal("5000.00"), by=staff)


def test_overdue_offer_expires_and_releases_money(fund, application, staff, owner):
    award = award_offer(
        application=application,
        amount=Decimal("10000.00"),
        by=staff,
        offer_expires_on=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(AwardError, match="expired"):
        award_accept(award=award, by=owner, typed_name="Rosa Delgado", agreed=True, ip=None)

    assert [a.pk for a in expire_overdue_offers()] == [award.pk]
    assert expire_overdue_offers() == []
    assert Award.objects.get(pk=award.pk).status == Award.Status.EXPIRED
    assert fund_balances(fund)["available_to_award"] == Decimal("100000.00")
    assert award_expire(award=award) is None


def test_lowering_an_offer_releases_the_difference(fund, application, staff):
    award = award_offer(application=application, amount=Decimal("10000.00"), by=staff)
    award = award_revise_offer(award=award, by=staff, amount=Decimal("8000.00"), tranches=two_tranches("8000.00"))

    assert award.amount == Decimal("8000.00")
    assert list(award.tranches.values_list("amount", flat=True)) == [Decimal("4000.00"), Decimal("4000.00")]
    assert fund_balances(fund)["committed"] == Decimal("8000.00")
    with pytest.raises(AwardError, match="only be lowered"):
        award_revise_offer(award=award, by=staff, amount=Decimal("9000.00"))


def test_terminate_needs_program_staff_and_a_reason(application, staff, finance_1, owner):
    award = award_offer(application=application, amount=Decimal("10000.00"), by=staff)
    with pytest.raises(PermissionDenied):
        award_terminate(award=award, by=finance_1, reason="x")
    with pytest.raises(AwardError):
        award_terminate(award=award, by=staff, reason=" ")
    award_terminate(award=award, by=staff, reason="Organisation dissolved")
    assert Award.objects.get(pk=award.pk).status == Award.Status.TERMINATED


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("Rosa Delgado", True),
        ("ROSA   delgado", True),
        ("Rosa María Delgado", True),
        ("Rósa Delgado", True),
        ("Rosa", False),
        ("", False),
        ("R. Delgado", False),
    ],
)
def test_typed_signature_must_name_the_user(typed, ok):
    from tests.factories.portal import UserFactory

    assert typed_name_matches(typed, UserFactory.build(first_name="Rosa", last_name="Delgado")) is ok
