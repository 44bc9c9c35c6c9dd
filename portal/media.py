"""Public images in production when uploads stay on this server's disk (no S3 bucket configured).

WhiteNoise serves only what existed when the process started, so uploaded media needs a view. Only image
renditions (`images/`, the resized copies Wagtail puts in pages, without the original's metadata) are served:
originals (`original_images/`) and documents (`documents/`, which Wagtail serves through its own view that checks a
collection's privacy) are not, and private uploads (applications, reports, receipts) live in another storage
outside MEDIA_ROOT. In development (DEBUG) Django's static() helper serves all of MEDIA_ROOT instead.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.urls import re_path
from django.views.decorators.http import require_safe
from django.views.static import serve

PUBLIC_PREFIXES = ("images/",)
# Rendition names are not content hashes (a replaced image may reuse one): a day, not forever.
MAX_AGE = 86400


def serves_public_media() -> bool:
    """True when public uploads are on this server's disk and nothing else (DEBUG's static(), S3) serves them."""
    return not settings.DEBUG and isinstance(storages["default"], FileSystemStorage)


@require_safe
def public_image(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def media_urlpatterns():
    if "://" in settings.MEDIA_URL:  # media on another origin (a CDN): nothing to serve here
        return []
    prefix = settings.MEDIA_URL.lstrip("/")
    return [
        re_path(rf"^{prefix}(?P<path>{public}[^/]+)$", public_image, name="public_image") for public in PUBLIC_PREFIXES
    ]
