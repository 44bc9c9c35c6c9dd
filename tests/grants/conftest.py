import pytest


@pytest.fixture
def staff(mfa_user_factory):
    return mfa_user_factory("Program staff")


@pytest.fixture
def editor(mfa_user_factory):
    return mfa_user_factory("Editor")
