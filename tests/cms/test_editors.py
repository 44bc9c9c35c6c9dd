"""Editors run the public site from the Wagtail admin: pages, alerts, settings; nothing else is needed."""

import pytest
from django.utils import timezone

from cms.editors import grant_editor_permissions
from cms.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(mfa_user_factory, site):
    grant_editor_permissions()
    return mfa_user_factory("Editor")


def test_editor_can_publish_an_alert_with_a_short_form(client, login, editor):
    login(editor)
    assert client.get("/admin/snippets/cms/alert/add/").status_code == 200
    now = timezone.localtime()
    response = client.post(
        "/admin/snippets/cms/alert/add/",
        {
            "message": "Contaminated batch reported in Riverside: test your supply.",
            "severity": "critical",
            "starts_at": now.strftime("%Y-%m-%d %H:%M"),
            "expires_at": (now + timezone.timedelta(days=2)).strftime("%Y-%m-%d %H:%M"),
            "link_url": "",
            "link_text": "",
            "live": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Alert.objects.current().filter(message__startswith="Contaminated batch").exists()
    client.logout()
    assert "Contaminated batch reported in Riverside" in client.get("/").content.decode()


def test_editor_may_add_and_publish_pages_under_the_home_page(client, login, editor, site):
    from wagtail.models import Page

    login(editor)
    home = site["home"]
    perms = home.permissions_for_user(editor)
    assert perms.can_add_subpage() and perms.can_publish() and perms.can_edit()
    assert client.get(f"/admin/pages/add/cms/standardpage/{home.pk}/").status_code == 200
    assert client.get(f"/admin/pages/add/cms/storypage/{site['stories'].pk}/").status_code == 200
    assert Page.objects.get(pk=site["story"].pk).permissions_for_user(editor).can_publish()


def test_grant_editor_permissions_is_idempotent(editor):
    from wagtail.models import GroupPagePermission

    before = GroupPagePermission.objects.count()
    grant_editor_permissions()
    assert GroupPagePermission.objects.count() == before
