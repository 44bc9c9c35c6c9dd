"""Someone who gave online without an account signs in to the donor portal by emailed code with the email they gave
with, and sees the gifts they made before the account existed."""

import re

import pytest
from django.core import mail
from django.test import Client

from fund.donations.models import Donor
from portal.models import User
from tests.factories.donations import DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db


def sign_in_by_code(client, email):
    response = client.post("/accounts/login/code/", {"email": email})
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if email.lower() in [to.lower() for to in m.to]]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", message.body)
    return message, code, response


def test_a_donor_without_an_account_signs_in_by_code_and_sees_their_gifts(client):
    donor = DonorFactory(email="robin@example.org", name="Robin Example")
    DonationFactory(donor=donor, amount="51.80", net_amount="51.80")
    message, code, response = sign_in_by_code(client, "Robin@Example.org")
    assert code, message.body  # a code, not "we have no account for this email"
    response = client.post(response["Location"], {"code": code.group(1)})
    assert response.status_code == 302
    page = client.get("/donor/")
    assert page.status_code == 200
    assert "51.80" in page.content.decode()
    user = User.objects.get(email="robin@example.org")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Robin", "Example", False)
    assert Donor.objects.get(pk=donor.pk).user == user
    assert user.emailaddress_set.get().verified  # the code proved the address


def test_a_stranger_email_still_gets_no_account():
    client = Client()
    message, code, _ = sign_in_by_code(client, "nobody@example.org")
    assert code is None
    assert not User.objects.filter(email="nobody@example.org").exists()


def test_a_donor_who_already_has_an_account_signs_in_as_that_account(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False, email="kim@example.org")
    DonorFactory(email="kim@example.org", user=None)
    message, code, _ = sign_in_by_code(client, "kim@example.org")
    assert code
    assert User.objects.filter(email__iexact="kim@example.org").count() == 1 and User.objects.get(pk=user.pk)
