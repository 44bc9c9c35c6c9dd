from decimal import Decimal

import pytest

from portal import roles
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, grantee_owner
from tests.factories.fund import FundFactory
from tests.factories.grants import FundingRoundFactory


@pytest.fixture
def fund(db):
    return fund_with_money(FundFactory(slug="awards-fund"), "100000.00")


@pytest.fixture
def funding_round(fund):
    return FundingRoundFactory(fund=fund, budget=Decimal("60000.00"))


@pytest.fixture
def application(funding_round):
    return ApprovedApplicationFactory(round=funding_round)


@pytest.fixture
def staff(mfa_user_factory):
    return mfa_user_factory(roles.PROGRAM_STAFF)


@pytest.fixture
def finance_1(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE, first_name="Marcus", last_name="Bell")


@pytest.fixture
def finance_2(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE, first_name="Dana", last_name="Kowalski")


@pytest.fixture
def owner(application):
    return grantee_owner(application.organisation, first_name="Rosa", last_name="Delgado")
