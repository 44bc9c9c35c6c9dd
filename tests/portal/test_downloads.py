from django.core.files.base import ContentFile
from django.core.files.storage import storages

from portal.downloads import download_response


def _headers(response):
    return {
        k: response[k]
        for k in ("Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy", "Cache-Control")
    }


def test_generated_content_is_a_private_unsniffable_download():
    response = download_response(b"%PDF-1.4", filename="letter.pdf", content_type="application/pdf")
    assert _headers(response) == {
        "Content-Disposition": 'attachment; filename="letter.pdf"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
    assert response.content == b"%PDF-1.4"


def test_hostile_filenames_cannot_break_out_of_the_header():
    response = download_response(b"x", filename='evil".html\r\nSet-Cookie: a=b')
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.startswith("attachment;")


def test_stored_files_stream_and_rows_stream_and_images_can_be_inline():
    storage = storages["private"]
    name = storage.save("downloads-test.txt", ContentFile(b"stored bytes"))
    try:
        with storage.open(name) as stored:
            response = download_response(stored, filename="a.txt", content_type="text/plain")
            assert b"".join(response.streaming_content) == b"stored bytes"
    finally:
        storage.delete(name)
    rows = download_response(iter(["a,b\n", "1,2\n"]), filename="rows.csv", content_type="text/csv")
    assert b"".join(rows.streaming_content) == b"a,b\n1,2\n"
    photo = download_response(b"\x89PNG", filename="story-1", content_type="image/png", inline=True)
    assert photo["Content-Disposition"].startswith("inline;")
