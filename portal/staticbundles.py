"""One stylesheet per page: CSS bundles concatenated from the source files in static/, with no build step.

The source files stay as they are (one per app, edited by hand). `BundleFinder` is a staticfiles finder that offers
each bundle in `STATIC_BUNDLES` as if it were a file in static/: `collectstatic` collects it (and the production
storage hashes and compresses it like any other file, served immutable by WhiteNoise), and `runserver` / the test
live server build it afresh on each request, so an edit to a source file shows at once and a bundle can never be
stale. Bundles are written to `STATIC_BUNDLES_DIR` (under var/).
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import BaseFinder
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage


def bundle_text(name: str) -> str:
    """The bundle's CSS: each source file in order, headed by its name."""
    parts = []
    for source in settings.STATIC_BUNDLES[name]:
        found = finders.find(source)
        if not found:
            raise ImproperlyConfigured(f"Static bundle {name}: source {source} not found")
        parts.append(f"/* {source} */\n{Path(found).read_text(encoding='utf-8').rstrip()}\n")
    return "\n".join(parts)


def build_bundle(name: str) -> Path:
    """Write the bundle atomically (a concurrent reader sees the old or the new file, never half of one)."""
    target = Path(settings.STATIC_BUNDLES_DIR) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = bundle_text(name)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, target)
    return target


class BundleFinder(BaseFinder):
    def find(self, path, find_all=False, **kwargs):
        if path not in settings.STATIC_BUNDLES:
            return [] if find_all else None
        built = str(build_bundle(path))
        return [built] if find_all else built

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(settings.STATIC_BUNDLES_DIR))
        for name in settings.STATIC_BUNDLES:
            build_bundle(name)
            yield name, storage

    def check(self, **kwargs):
        return []
