"""The demo's privacy page tells people their data rights as the portal implements them (issue 17)."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_privacy_page_explains_download_erasure_retention_and_sessions(demo, client, settings):
    response = client.get("/privacy/")
    assert response.status_code == 200
    text = response.content.decode()
    for promise in [
        "Download your data",
        "readable PDF",
        "JSON file",
        "replaced by a pseudonym",
        "Tax law makes us keep the name and",
        f"{['zero', 'one', 'two', 'three', 'four', 'five', 'six'][settings.RETENTION_YEARS]} years after a declined",
        "sign them out",
        f"signed out after {settings.STAFF_SESSION_IDLE_MINUTES} minutes",
    ]:
        assert promise in text, promise
