"""Gzip for text responses only (HTML, CSS, JS, JSON, CSV, XML, plain text).

Django's GZipMiddleware compresses every body over 200 bytes, including PDFs, images and other downloads that gain
nothing. This subclass leaves those alone. It sits right below WhiteNoise (which serves its own pre-compressed static
files) and above everything that renders a body. Page-cache hits are answered above it (cms/cache.py): a cached page
stored with its gzipped copy is sent as is, any other hit is compressed by this class's code, called from there.
Django's implementation pads each gzip stream at random (BREACH mitigation for pages with a CSRF token).
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "application/rss+xml")


def is_compressible(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE) or "+json" in content_type


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not is_compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
