import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants import uploads
from grants.models import Attachment
from tests.factories.grants_extra import draft_for, round_with_form

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("report.pdf", b"%PDF-1.4\n%...", "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("plan.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.csv", b"category,amount\nstaff,100\nkits,50\n", "text/csv"),
    ],
)
def test_allowed_types_are_recognised_by_content(name, content, expected):
    assert uploads.check_upload(SimpleUploadedFile(name, content)).content_type == expected


def test_renamed_html_file_is_rejected():
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(SimpleUploadedFile("budget.pdf", html))
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(SimpleUploadedFile("budget.csv", html))


def test_svg_and_zip_without_office_parts_are_rejected():
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(
            SimpleUploadedFile("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("evil.exe", "MZ")
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(SimpleUploadedFile("plan.docx", buffer.getvalue()))


def test_oversized_file_is_rejected(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_FILE_SIZE", 1024)
    with pytest.raises(uploads.UploadRejected, match="too large"):
        uploads.check_upload(SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * 2000))


def test_application_total_size_limit(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_APPLICATION_SIZE", 1500)
    with pytest.raises(uploads.UploadRejected, match="together"):
        uploads.check_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4" + b"0" * 1000), already_used=1000)


def test_path_traversal_name_is_neutralised_and_stored_under_a_random_name(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    upload = SimpleUploadedFile("../../etc/passwd.pdf", b"%PDF-1.4 test")
    response = client.post(
        reverse("grants:application_step", args=[application.pk, 2]), {"q_plan": upload, "go": "save"}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=application)
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert attachment.file.name.startswith("applications/")
    download = client.get(reverse("grants:attachment_download", args=[application.pk, attachment.pk]))
    assert 'filename="passwd.pdf"' in download["Content-Disposition"]


def test_rejected_upload_shows_error_beside_the_field(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    upload = SimpleUploadedFile("plan.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(
        reverse("grants:application_step", args=[application.pk, 2]), {"q_plan": upload, "go": "save"}
    )
    assert response.status_code == 200
    assert "We cannot accept this type of file" in response.content.decode()
    assert not Attachment.objects.exists()


def test_virus_scanner_failure_rejects_the_file(settings):
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    with pytest.raises(uploads.UploadRejected, match="viruses"):
        uploads.scan_for_viruses(SimpleUploadedFile("a.pdf", b"%PDF-1.4"))


def test_no_scanner_configured_means_not_scanned(settings):
    settings.CLAMD_SOCKET = ""
    assert uploads.scan_for_viruses(SimpleUploadedFile("a.pdf", b"%PDF-1.4")) is None
