"""Checking uploaded files by their content (never their name), and the optional clamd virus scan.

Allowed: PDF, DOCX, XLSX, ODT, PNG, JPEG, CSV. OOXML and ODF are zip files: we look inside for the parts that make them
what they claim to be. CSV has no magic bytes: it must decode as text, contain no HTML/script and have a consistent shape.
"""

import csv
import io
import os
import re
import socket
import struct
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

MAX_FILE_SIZE = getattr(settings, "GRANTS_MAX_ATTACHMENT_SIZE", 10 * 1024 * 1024)
MAX_APPLICATION_SIZE = getattr(settings, "GRANTS_MAX_APPLICATION_ATTACHMENTS_SIZE", 40 * 1024 * 1024)
ALLOWED_DESCRIPTION = "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG, JPEG, CSV"


class UploadRejected(Exception):
    pass


@dataclass
class CheckedFile:
    content_type: str
    extension: str
    safe_name: str


def _zip_kind(head_and_file) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(head_and_file) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
                if any(n.startswith("xl/") for n in names):
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
                return None
            if "mimetype" in names:
                mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
                if mimetype == "application/vnd.oasis.opendocument.text":
                    return mimetype, "odt"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


HTML_SNIFF = re.compile(rb"<\s*(script|html|body|iframe|svg|img|a\s|!doctype|object|embed|style)", re.I)


def _looks_like_csv(data: bytes) -> bool:
    if not data or b"\x00" in data or HTML_SNIFF.search(data):
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:
            return False
    lines = [line for line in text.splitlines() if line.strip()][:50]
    if not lines:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:10]), delimiters=",;\t")
    except csv.Error:
        return True  # one column of plain text is still a CSV
    widths = {len(row) for row in csv.reader(io.StringIO("\n".join(lines)), dialect)}
    return len(widths) <= 2


def safe_display_name(name: str, extension: str) -> str:
    """The uploader's name kept for display only: no directories, no control characters, the real extension."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    stem = os.path.splitext(base)[0] or "file"
    stem = re.sub(r"[^\w\s.()\-]", "_", stem)[:120]
    return f"{stem}.{extension}"


def check_upload(uploaded, *, already_used: int = 0) -> CheckedFile:
    """Accept the file only if its content is one of the allowed types and it fits the size limits."""
    size = uploaded.size or 0
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    if size > MAX_FILE_SIZE:
        raise UploadRejected(
            _("The file is too large: the limit is %(mb)d MB per file.") % {"mb": MAX_FILE_SIZE // (1024 * 1024)}
        )
    if already_used + size > MAX_APPLICATION_SIZE:
        raise UploadRejected(
            _("Your files together would be over the %(mb)d MB limit for one application. Remove a file first.")
            % {"mb": MAX_APPLICATION_SIZE // (1024 * 1024)}
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    result = None
    if kind is not None:
        if kind.mime == "application/pdf":
            result = ("application/pdf", "pdf")
        elif kind.mime == "image/png":
            result = ("image/png", "png")
        elif kind.mime == "image/jpeg":
            result = ("image/jpeg", "jpg")
        elif kind.mime in (
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.oasis.opendocument.text",
        ):
            result = _zip_kind(uploaded)
            uploaded.seek(0)
    elif head[:4] == b"PK\x03\x04":
        result = _zip_kind(uploaded)
        uploaded.seek(0)
    else:
        data = uploaded.read(min(size, 256 * 1024))
        uploaded.seek(0)
        if _looks_like_csv(data):
            result = ("text/csv", "csv")
    if result is None:
        raise UploadRejected(
            _("We cannot accept this type of file. Please upload one of: %(types)s.") % {"types": ALLOWED_DESCRIPTION}
        )
    content_type, extension = result
    return CheckedFile(
        content_type=content_type, extension=extension, safe_name=safe_display_name(uploaded.name, extension)
    )


def scan_for_viruses(uploaded) -> bool | None:
    """Ask clamd (settings.CLAMD_SOCKET, a Unix socket path) with INSTREAM. None when no scanner is configured.

    Returns True when clean; raises UploadRejected when a virus is found or the scanner fails (fail closed)."""
    path = getattr(settings, "CLAMD_SOCKET", "")
    if not path:
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(path)
            sock.sendall(b"zINSTREAM\0")
            uploaded.seek(0)
            for chunk in iter(lambda: uploaded.read(64 * 1024), b""):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError:
        raise UploadRejected(
            _("We could not check this file for viruses just now. Please try again in a few minutes.")
        ) from None
    finally:
        uploaded.seek(0)
    if reply.rstrip(b"\0").endswith(b"OK"):
        return True
    raise UploadRejected(_("This file looks infected and was not accepted."))
