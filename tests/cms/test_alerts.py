"""Site alerts show on every page (cms pages and others) from their start until their expiry."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cms.models import Alert

pytestmark = pytest.mark.django_db

MESSAGE = "Nitazene-type opioids detected in drug-checking samples from Northside"


def make_alert(**kwargs):
    now = timezone.now()
    fields = {
        "message": MESSAGE,
        "severity": Alert.Severity.CRITICAL,
        "starts_at": now - timedelta(minutes=1),
        "expires_at": now + timedelta(days=7),
        "live": True,
    }
    fields.update(kwargs)
    return Alert.objects.create(**fields)


def test_live_alert_shows_on_public_pages_and_on_other_pages(client, site):
    make_alert()
    for path in ("/", "/stories/outreach-van/", "/accounts/login/"):
        html = client.get(path).content.decode()
        assert MESSAGE in html, path
        assert 'role="alert"' in html, path


def test_alert_disappears_after_it_expires_even_from_cached_pages(client, site):
    alert = make_alert(expires_at=timezone.now() + timedelta(minutes=10))
    assert MESSAGE in client.get("/about/").content.decode()
    assert client.get("/about/")["X-Page-Cache"] == "hit"
    with time_machine.travel(alert.expires_at + timedelta(seconds=5)):
        from django.core.cache import cache

        # The cached copy was stored with a lifetime ending at the expiry; locmem honours time.time().
        html = client.get("/about/").content.decode()
        assert MESSAGE not in html
    cache.clear()


def test_scheduled_alert_is_not_shown_before_it_starts(client, site):
    make_alert(starts_at=timezone.now() + timedelta(hours=2))
    assert MESSAGE not in client.get("/").content.decode()


def test_switching_an_alert_off_removes_it_at_once(client, site):
    alert = make_alert()
    assert MESSAGE in client.get("/about/").content.decode()
    alert.live = False
    alert.save()
    assert MESSAGE not in client.get("/about/").content.decode()


def test_most_severe_alert_comes_first(site):
    make_alert(message="Clinic closed Monday", severity=Alert.Severity.INFO)
    make_alert()
    assert [a.message for a in Alert.objects.current()] == [MESSAGE, "Clinic closed Monday"]


def test_alert_must_end_after_it_starts():
    from django.core.exceptions import ValidationError

    now = timezone.now()
    with pytest.raises(ValidationError):
        Alert(message="x", starts_at=now, expires_at=now - timedelta(hours=1)).full_clean()
