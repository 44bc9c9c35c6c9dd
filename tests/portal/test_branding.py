"""The fund's own icon and logo: a favicon on public pages and in the admin, the fund's logo in the admin's sidebar
(not Wagtail's bird), and /favicon.ico answered instead of a 404."""

from pathlib import Path

import pytest

from portal import roles

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_funds_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


def test_public_pages_link_the_icon(client):
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()


def test_the_admin_carries_the_funds_icon_and_logo(client, mfa_user_factory, settings):
    client.force_login(mfa_user_factory(roles.PROGRAM_STAFF))
    html = client.get("/admin/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
    assert f'<img src="/static/img/logo.svg" alt="{settings.FUND_NAME}"' in html


def test_the_admin_wears_the_funds_colours(client, mfa_user_factory):
    client.force_login(mfa_user_factory(roles.PROGRAM_STAFF))
    html = client.get("/admin/").content.decode()
    assert 'href="/static/css/admin.css' in html
    stylesheet = (settings_static_root() / "css" / "admin.css").read_text()
    assert "--w-color-primary: #083f4b;" in stylesheet and "--w-color-secondary-hue: 191;" in stylesheet


def settings_static_root():
    return Path(__file__).resolve().parents[2] / "static"
