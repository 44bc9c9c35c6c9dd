"""A database blip answers 503 with Retry-After (a page, or JSON for autosave), never the 500 "something went wrong"."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import get_resolver

from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_uses_our_error_handler():
    assert get_resolver().resolve_error_handler(500).__name__ == "server_error"


@pytest.fixture
def unreachable_database():
    # Every signed-in request loads its session from the database first: make that load fail as during a restart.
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("server closed")
    ):
        yield


def test_a_page_during_a_database_outage_is_503_with_retry_after(unreachable_database):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/dashboard/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and response["Cache-Control"] == "no-store"
    assert "Nothing you sent has been lost" in response.content.decode()


def test_an_autosave_during_a_database_outage_gets_json_it_can_retry(unreachable_database):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.post("/dashboard/", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 503
    assert "briefly unavailable" in json.loads(response.content)["error"]


def test_other_errors_stay_500():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with mock.patch("portal.views.render", side_effect=RuntimeError("a bug")):
        response = client.get("/dashboard/")
    assert response.status_code == 500
