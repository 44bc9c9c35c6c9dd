"""MFA is mandatory for staff, finance and reviewers; only staff roles enter the Wagtail admin."""

import pytest
from django.test import override_settings
from django.urls import reverse

from cms.models import Alert
from portal import roles
from tests.conftest import totp_code_for
from tests.factories.cms import make_site

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_role_groups_exist_after_migrations():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


@pytest.mark.parametrize("role", [roles.PROGRAM_STAFF, roles.FINANCE, roles.REVIEWER])
def test_user_in_mfa_role_without_mfa_is_sent_to_set_it_up_and_reaches_nothing_else(client, mfa_user_factory, role):
    user = mfa_user_factory(role, mfa=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for path in ["/admin/", "/dashboard/", "/reviews/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    # Setting up MFA asks for the password once more (allauth's re-authentication), then shows the QR code.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert b"Authenticator" in response.content


def test_staff_with_mfa_must_pass_the_second_step_before_the_admin(client, mfa_user_factory):
    staff = mfa_user_factory(roles.PROGRAM_STAFF)
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Half-way through the login, nobody is signed in.
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200 and b"Incorrect code" in response.content
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code_for(staff)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_demo_bypass_code_is_refused_without_debug(client, mfa_user_factory):
    reviewer = mfa_user_factory(roles.REVIEWER)
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert response.status_code == 200
    assert client.get("/dashboard/").status_code == 302


@override_settings(DEBUG=True, MFA_TOTP_INSECURE_BYPASS_CODE="123456")
def test_demo_bypass_code_works_in_development_only(client, mfa_user_factory):
    reviewer = mfa_user_factory(roles.REVIEWER)
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_bypass_code_setting_is_rejected_outright_when_debug_is_off():
    from allauth.mfa import app_settings
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(DEBUG=False, MFA_TOTP_INSECURE_BYPASS_CODE="123456"):
        with pytest.raises(ImproperlyConfigured):
            _ = app_settings.TOTP_INSECURE_BYPASS_CODE


@pytest.mark.parametrize(
    "role,mfa,expected",
    [
        (roles.APPLICANT, False, 403),
        (roles.REVIEWER, True, 403),
        (None, False, 403),  # a donor: no role at all
        (roles.EDITOR, True, 200),
        (roles.PROGRAM_STAFF, True, 200),
        (roles.FINANCE, True, 200),
    ],
)
def test_only_staff_roles_enter_the_admin(client, mfa_user_factory, role, mfa, expected):
    user = mfa_user_factory(*([role] if role else []), mfa=mfa)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == expected
    if expected == 403:
        assert b"The staff admin is for fund staff" in response.content


def test_anonymous_admin_visit_goes_to_the_allauth_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"


def test_an_editor_without_two_factor_cannot_publish_and_is_sent_to_set_it_up(client, mfa_user_factory):
    pages = make_site()
    editor = mfa_user_factory(roles.EDITOR, mfa=False)
    client.force_login(editor)
    for url in ("/admin/", "/admin/snippets/cms/alert/add/", f"/admin/pages/{pages['home'].pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), url
    response = client.post("/admin/snippets/cms/alert/add/", {"message": "Unreviewed alert", "severity": "critical"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not Alert.objects.exists()
