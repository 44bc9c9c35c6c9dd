"""Sessions: staff sessions end when idle; everyone sees their sessions and can sign out the others (issue 17)."""

import time

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client

from portal import roles
from portal.middleware import LAST_ACTIVITY_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _idle_for(client, minutes):
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - minutes * 60
    session.save()


@pytest.mark.parametrize("role", [roles.PROGRAM_STAFF, roles.FINANCE])
def test_idle_staff_session_expires(client, login, mfa_user_factory, role):
    staff = mfa_user_factory(role)
    login(staff)
    assert client.get("/dashboard/").status_code == 200

    _idle_for(client, 31)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    # Signed out for good, not just redirected once.
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_idle_limit_is_a_setting_and_activity_keeps_the_session(client, login, mfa_user_factory, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 10
    staff = mfa_user_factory(roles.FINANCE)
    login(staff)
    _idle_for(client, 9)
    assert client.get("/dashboard/").status_code == 200
    # That request counted as activity: nine more minutes are still within the limit.
    session = client.session
    assert session[LAST_ACTIVITY_KEY] >= int(time.time()) - 5
    _idle_for(client, 11)
    assert client.get("/dashboard/").status_code == 302


def test_idle_fetch_request_gets_401_json(client, login, mfa_user_factory):
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    _idle_for(client, 60)
    response = client.get("/dashboard/", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 401
    assert "inactivity" in response.json()["error"]


def test_idle_non_staff_session_does_not_expire(client, login, mfa_user_factory):
    applicant = mfa_user_factory(roles.APPLICANT, mfa=False)
    login(applicant)
    _idle_for(client, 600)
    assert client.get("/dashboard/").status_code == 200


def test_user_signs_out_their_other_session(mfa_user_factory):
    user = mfa_user_factory(roles.APPLICANT, mfa=False)
    laptop, phone = Client(), Client(HTTP_USER_AGENT="Phone browser")
    for device in (laptop, phone):
        response = device.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
    assert UserSession.objects.filter(user=user).count() == 2

    dashboard = laptop.get("/dashboard/")
    assert b'href="/accounts/sessions/"' in dashboard.content
    listing = laptop.get("/accounts/sessions/")
    assert listing.status_code == 200
    assert b"Phone browser" in listing.content

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert phone.get("/dashboard/").status_code == 302
    assert laptop.get("/dashboard/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
