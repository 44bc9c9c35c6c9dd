"""Every private file leaves the portal through `download_response`: sent as a download (or, for images, inline),
never sniffed, never scripted, never cached by a shared cache."""

from collections.abc import Iterable

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header


def download_response(content, *, filename: str, content_type: str = "application/octet-stream", inline: bool = False):
    """`content` is bytes/str (a generated PDF or CSV), a stored file (FieldFile), or an iterable of rows to stream."""
    if isinstance(content, (bytes, str)):
        response = HttpResponse(content, content_type=content_type)
    elif hasattr(content, "open"):
        response = FileResponse(content.open("rb"), content_type=content_type)
    elif isinstance(content, Iterable):
        response = StreamingHttpResponse(content, content_type=content_type)
    else:
        raise TypeError(f"Cannot send {type(content).__name__} as a download.")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
