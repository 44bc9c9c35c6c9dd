import pytest

from portal import roles
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.fund import FundFactory
from tests.factories.grants import FundingRoundFactory
from tests.factories.impact import AwardRowFactory


@pytest.fixture
def fund(db):
    return FundFactory(slug="impact-fund")


@pytest.fixture
def funding_round(fund):
    return FundingRoundFactory(fund=fund, title="2025 Harm Reduction Grants")


@pytest.fixture
def organisation(db):
    return OrganisationFactory(legal_name="Northside Drop-in")


@pytest.fixture
def award(funding_round, organisation):
    from tests.factories.awards import ApprovedApplicationFactory

    return AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round, organisation=organisation))


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def outsider(db):
    return MembershipFactory(organisation=OrganisationFactory()).user


@pytest.fixture
def staff(mfa_user_factory):
    return mfa_user_factory(roles.PROGRAM_STAFF)


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


@pytest.fixture
def editor(mfa_user_factory):
    return mfa_user_factory(roles.EDITOR)
