"""What a public page tells browsers and proxies: compressed when they accept it, revalidated every time, shared
only when it carries nobody's CSRF token or account."""

import gzip

import pytest
from django.test import Client

from portal.compression import is_compressible

pytestmark = pytest.mark.django_db

ABOUT = "/about/"
CAMPAIGN = "/campaigns/naloxone-in-every-pocket/"


def test_a_cached_page_is_sent_gzipped_from_its_stored_copy_without_compressing_again(site, monkeypatch):
    from django.middleware import gzip as gzip_middleware

    visitor = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = Client().get(ABOUT)
    assert plain.get("Content-Encoding") is None
    compressions = []
    original = gzip_middleware.compress_string
    monkeypatch.setattr(gzip_middleware, "compress_string", lambda *a, **k: compressions.append(1) or original(*a, **k))
    response = visitor.get(ABOUT)
    assert response["X-Page-Cache"] == "hit"
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain.content
    assert len(response.content) < len(plain.content) / 2
    assert compressions == []


def test_pages_with_live_figures_or_a_csrf_token_are_compressed_per_response(site):
    visitor = Client(HTTP_ACCEPT_ENCODING="gzip")
    for path in ("/", CAMPAIGN):
        visitor.get(path)
        response = visitor.get(path)
        assert response["X-Page-Cache"] == "hit"
        assert response["Content-Encoding"] == "gzip"
        assert b"</html>" in gzip.decompress(response.content)


def test_rendered_pages_are_compressed_and_downloads_are_not(client, site):
    response = Client(HTTP_ACCEPT_ENCODING="gzip").get("/accounts/login/")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert is_compressible("text/html; charset=utf-8") and is_compressible("application/json")
    assert not is_compressible("application/pdf") and not is_compressible("image/png")


def test_a_shared_page_is_revalidated_every_time_and_answers_304_when_unchanged(site):
    visitor = Client()
    first = visitor.get(ABOUT)
    assert first["Cache-Control"] == "no-cache"
    etag = first["ETag"]
    again = visitor.get(ABOUT, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["X-Page-Cache"] == "hit"
    assert again["X-Content-Type-Options"] == "nosniff"  # security headers on the 304 too
    assert visitor.get(ABOUT, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    zipped = Client(HTTP_ACCEPT_ENCODING="gzip").get(ABOUT, HTTP_IF_NONE_MATCH=etag)
    assert zipped.status_code == 304


def test_a_page_with_a_visitors_csrf_token_is_never_public(site):
    visitor = Client()
    visitor.get(CAMPAIGN)
    response = visitor.get(CAMPAIGN)
    if "csrfmiddlewaretoken" not in response.content.decode():
        pytest.skip("the donate form is not embedded (no online giving configured)")
    assert response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


def test_signed_in_pages_are_never_marked_shareable(client, site, mfa_user_factory, login):
    login(mfa_user_factory("Editor"))
    response = client.get(CAMPAIGN)
    assert response.get("X-Page-Cache") is None
    assert "public" not in response.get("Cache-Control", "")
    assert "ETag" not in response
