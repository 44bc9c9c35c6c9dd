"""Sign-up, verification, login, rate limits, password reset and login by code, through the real allauth views."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _link_from(message):
    match = re.search(r"https?://[^\s\"<>]+", message.body)
    assert match, message.body
    return match.group(0).split("testserver", 1)[-1]


def test_signup_sends_verification_email_and_login_waits_for_it(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.org",
            "password1": "a-long-unusual-pass-77",
            "password2": "a-long-unusual-pass-77",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert "new.person@example.org" in mail.outbox[0].to
    assert mail.outbox[0].alternatives, "every email has an HTML part"
    html = mail.outbox[0].alternatives[0][0]
    assert f"<title>{settings.FUND_NAME}</title>" in html  # not an empty title
    assert f'<a href="{settings.SITE_URL.rstrip("/")}">' in html  # nor an empty footer link

    # Not verified yet: logging in only re-sends the verification notice.
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "new.person@example.org", "password": "a-long-unusual-pass-77"}
    )
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/dashboard/").status_code == 302

    confirm_path = _link_from(mail.outbox[0])
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.person@example.org")
    assert user.emailaddress_set.get().verified

    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert b"Your dashboard" in response.content


def test_verified_user_logs_in_with_email_and_out(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False)
    response = client.post("/accounts/login/", {"login": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_failed_logins_are_rate_limited_even_with_the_right_password_afterwards(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False)
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False)
    known = client.post("/accounts/password/reset/", {"email": user.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody-here@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]

    # Every page carries the language switcher's CSRF token, masked afresh on each response: compare the rest.
    def page(location):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(location).content.decode())

    assert page(known["Location"]) == page(unknown["Location"])
    # Both get an email; only the real account gets a reset link.
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "/accounts/password/reset/key/" in by_recipient[user.email].body
    assert "/accounts/password/reset/key/" not in by_recipient["nobody-here@example.org"].body


def test_password_reset_link_sets_a_new_password(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False)
    client.post("/accounts/password/reset/", {"email": user.email})
    path = _link_from(mail.outbox[0])
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_path, {"password1": "brand-new-secret-42", "password2": "brand-new-secret-42"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-42")


def test_changing_password_sends_a_security_notification(client, mfa_user_factory):
    user = mfa_user_factory(mfa=False)
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-secret-99x", "password2": "another-secret-99x"},
    )
    assert response.status_code == 302
    assert any(user.email in m.to and "password" in m.subject.lower() for m in mail.outbox)


def test_donor_can_log_in_with_an_emailed_code(client, mfa_user_factory):
    donor = mfa_user_factory(mfa=False)
    response = client.post("/accounts/login/code/", {"email": donor.email})
    assert response.status_code == 302
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_failed_sign_ins_throttle_the_account_not_everyone_at_the_address(settings, mfa_user_factory):
    settings.TRUSTED_PROXY_COUNT = 1
    account_a, account_b = mfa_user_factory(mfa=False), mfa_user_factory(mfa=False)
    office = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}  # one address behind the proxy
    attacker, colleague = Client(**office), Client(**office)
    for _ in range(10):
        attacker.post("/accounts/login/", {"login": account_a.email, "password": "wrong-password"})

    response = colleague.post("/accounts/login/", {"login": account_b.email, "password": PASSWORD})
    assert response.status_code == 302  # account B signs in from the same address

    owner_of_a = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")  # even from elsewhere
    response = owner_of_a.post("/accounts/login/", {"login": account_a.email, "password": PASSWORD})
    assert b"Too many failed login attempts" in response.content  # account A is throttled
