"""Factories and builders for awards and payments. Money enters a fund only through fund.services."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applicants.models import Membership
from grants.models import Application

from .applicants import MembershipFactory, OrganisationFactory
from .grants import ApplicationFactory, FundingRoundFactory
from .portal import UserFactory


def fund_with_money(fund, amount, *, clearing_account="cash"):
    """Give a fund money to award: an opening offline gift recorded through the ledger services."""
    from fund.services import ledger_record_donation

    source = UserFactory()  # any saved row stands in for the gift's source
    ledger_record_donation(
        fund=fund, amount=Decimal(amount), source=source, clearing_account=clearing_account, memo="Opening balance"
    )
    return fund


class ApprovedApplicationFactory(ApplicationFactory):
    status = Application.Status.APPROVED
    requested_amount = Decimal("25000.00")


def grantee_owner(organisation, **kwargs):
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.OWNER)
    return user


def make_award(*, application=None, amount="10000.00", by=None, tranches=None, **kwargs):
    """An award prepared and sent; without `tranches`, paid in one tranche on acceptance (the screens propose a
    schedule from the round's reporting plan instead: see grants.awards.services.proposed_tranches)."""
    from django.contrib.auth.models import Group

    from grants.awards.offers import award_offer
    from grants.awards.services import TrancheSpec
    from portal import roles

    application = application or ApprovedApplicationFactory()
    if by is None:  # sending an offer is program staff's work
        by = UserFactory()
        by.groups.add(Group.objects.get(name=roles.PROGRAM_STAFF))
    tranches = tranches or [TrancheSpec(amount=Decimal(amount), due_date=timezone.localdate())]
    return award_offer(application=application, amount=Decimal(amount), by=by, tranches=tranches, **kwargs)


def two_tranches(amount, *, first_due=None, second_due=None):
    from grants.awards.services import TrancheSpec
    from portal.money import split_equally

    today = timezone.localdate()
    a, b = split_equally(Decimal(amount), 2)
    return [
        TrancheSpec(amount=a, due_date=first_due or today, condition="on_acceptance"),
        TrancheSpec(amount=b, due_date=second_due or today + timedelta(days=180), condition="on_date"),
    ]


__all__ = [
    "ApprovedApplicationFactory",
    "FundingRoundFactory",
    "OrganisationFactory",
    "factory",
    "fund_with_money",
    "grantee_owner",
    "make_award",
    "two_tranches",
]


def give_bank_details(organisation, owner, *, routing="011000015", account="000123456789", account_type="checking"):
    from grants.awards.services import bank_details_set

    return bank_details_set(
        organisation=organisation,
        by=owner,
        account_name=organisation.legal_name,
        routing_number=routing,
        account_number=account,
        account_type=account_type,
    )


def accepted_award(*, application, staff, owner, amount="10000.00", tranches=None):
    """An award offered, accepted by the grantee's owner, with bank details on file."""
    from grants.awards.services import award_accept

    award = make_award(application=application, amount=amount, by=staff, tranches=tranches)
    award_accept(award=award, by=owner, typed_name=owner.get_full_name(), agreed=True, ip="198.51.100.7")
    give_bank_details(application.organisation, owner)
    award.refresh_from_db()
    return award
