"""Behind a load balancer: one setting (TRUSTED_PROXY_COUNT) says whose address is the client's, for allauth's rate
limits and the donation limits alike; /healthz answers plain HTTP probes; every email setting comes from the
environment."""

import pytest
from django.test import Client

from portal.net import client_ip

from .test_health_and_settings import PRODUCTION_ENV, _run_production


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (0, "6.6.6.6", "10.0.0.2"),  # no proxy trusted: the header is anyone's to write
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a client-written prefix is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # shorter than the proxy chain: the request bypassed it
        (1, "not-an-address", "10.0.0.2"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_client_ip_is_the_address_the_outermost_trusted_proxy_saw(rf, settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_donation_rate_limit_counts_each_client_not_the_load_balancer(settings, fake_stripe, ratelimit_clock):
    from tests.donations.test_donate_form import form_data
    from tests.factories.fund import FundFactory

    FundFactory(is_default=True)
    settings.TRUSTED_PROXY_COUNT = 1
    codes = [
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        .post("/donate/", form_data(email=f"giver{i}@example.org"))
        .status_code
        for i in range(15)
    ]
    assert codes == [302] * 15  # fifteen visitors, one load balancer: nobody refused
    one_visitor = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.200")
    codes = [one_visitor.post("/donate/", form_data(email=f"same{i}@example.org")).status_code for i in range(12)]
    assert codes[:10] == [302] * 10 and set(codes[10:]) == {429}


@pytest.mark.django_db
def test_failed_sign_ins_are_limited_per_client_behind_the_load_balancer(settings, mfa_user_factory):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(4):
        attacker.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password"})
    blocked = attacker.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password"})
    assert b"Too many failed login attempts" in blocked.content
    user = mfa_user_factory(mfa=False)
    neighbour = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = neighbour.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_healthz_answers_a_plain_http_probe_while_pages_redirect_to_https(settings):
    production = _run_production(
        [
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT)",
        ],
        **PRODUCTION_ENV,
    )
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip().splitlines()[-1] == "True ['^healthz$']"
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/about/").status_code == 301


def test_every_email_setting_and_connection_health_checks_come_from_the_environment(tmp_path):
    mail_dir = tmp_path / "mail"
    code = (
        "from django.conf import settings as s; from django.core.mail import send_mail; "
        "print(s.EMAIL_FILE_PATH, s.EMAIL_TIMEOUT, s.EMAIL_USE_SSL, s.SERVER_EMAIL, s.DATABASES['default']['CONN_HEALTH_CHECKS']); "
        "send_mail('Hello', 'Body', None, ['someone@example.org'])"
    )
    result = _run_production(
        ["shell", "-c", code],
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        EMAIL_TIMEOUT="7",
        EMAIL_USE_SSL="1",
        SERVER_EMAIL="errors@fund.example.org",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{mail_dir} 7 True errors@fund.example.org True"
    assert len(list(mail_dir.iterdir())) == 1  # the file backend works in production
