"""The dashboard shows each person the panels for what they do: grantees their awards, donors their giving."""

import pytest

from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, grantee_owner, make_award
from tests.factories.donations import DonorFactory

pytestmark = pytest.mark.django_db


def test_grantee_owner_sees_their_awards_panel_and_a_stranger_does_not(client, mfa_user_factory):
    application = ApprovedApplicationFactory()
    fund_with_money(application.round.fund, "50000.00")
    award = make_award(application=application)
    owner = grantee_owner(award.organisation)
    client.force_login(owner)
    assert b"Go to your awards" in client.get("/dashboard/").content

    stranger = mfa_user_factory(mfa=False)
    client.force_login(stranger)
    page = client.get("/dashboard/").content
    assert b"Go to your awards" not in page
    assert b"Go to your giving" not in page


def test_donor_sees_their_giving_panel(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False)
    DonorFactory(user=user, email=user.email)
    client.force_login(user)
    response = client.get("/dashboard/")
    assert b"Go to your giving" in response.content
    assert b'href="/donor/"' in response.content
