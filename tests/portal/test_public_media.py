"""Production without S3 serves uploaded public images from MEDIA_ROOT, and nothing else there."""

import pytest
from django.test import Client
from django.urls import clear_url_caches, resolve

from tests.portal.test_health_and_settings import PRODUCTION_ENV, _run_production

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for name, body in {
        "images/kit.fill-300x200.png": b"\x89PNG rendition",
        "original_images/kit.png": b"\x89PNG original with GPS",
        "documents/board-minutes.pdf": b"%PDF private collection",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(body)
    return tmp_path


def test_an_uploaded_image_rendition_is_served_after_startup(media_root):
    response = Client().get("/media/images/kit.fill-300x200.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG rendition"
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/media/original_images/kit.png",
        "/media/documents/board-minutes.pdf",
        "/media/images/../documents/board-minutes.pdf",
        "/media/images/%2e%2e/documents/board-minutes.pdf",
        "/media/images/missing.png",
    ],
)
def test_originals_documents_and_anything_outside_renditions_are_not_served(media_root, path):
    assert Client().get(path).status_code == 404


def test_production_settings_without_a_bucket_route_media_to_the_public_image_view():
    code = (
        "from django.urls import resolve; from portal.media import serves_public_media; "
        "print(serves_public_media(), resolve('/media/images/a.png').url_name)"
    )
    result = _run_production(["shell", "-c", code], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True public_image"


def test_production_settings_with_a_bucket_serve_no_media_from_disk():
    code = "from portal.media import serves_public_media; print(serves_public_media())"
    result = _run_production(["shell", "-c", code], AWS_STORAGE_BUCKET_NAME="fund-media", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_the_view_is_mounted_under_test_settings_as_in_production():
    clear_url_caches()
    assert resolve("/media/images/a.png").url_name == "public_image"
