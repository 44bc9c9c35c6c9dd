"""The project's translation catalogues compiled for a test (translators keep only .po files in git, and the suite
must not depend on `make compilemessages` having run)."""

from pathlib import Path

import polib
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


def compile_catalogues(target: Path) -> Path:
    """The .mo files of locale/, compiled into `target` (for LOCALE_PATHS)."""
    for po_file in LOCALE_DIR.glob("*/LC_MESSAGES/django.po"):
        mo_file = target / po_file.relative_to(LOCALE_DIR).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        polib.pofile(str(po_file)).save_as_mofile(str(mo_file))
    return target
