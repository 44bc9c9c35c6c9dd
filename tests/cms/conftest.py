import pytest


@pytest.fixture
def site(db):
    from tests.factories.cms import make_site

    return make_site()


@pytest.fixture
def finance_user(mfa_user_factory):
    return mfa_user_factory("Finance")
