"""Checks the translation catalogues (tests/portal/test_i18n_catalogues.py): every message translated and not fuzzy,
and nothing that `makemessages` would extract from the code missing from them."""

import contextlib
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

# What `make messages` reads: the apps, the templates and the static JavaScript (not the venv, tests or tools).
SOURCE_DIRS = ("portal", "applicants", "grants", "fund", "cms", "templates", "static/js")
SOURCE_SUFFIXES = {"django": (".py", ".html", ".txt"), "djangojs": (".js",)}


def catalogue_path(language: str, domain: str = "django") -> Path:
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def entry_key(entry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def catalogue_problems(po: polib.POFile) -> list[str]:
    """Every fuzzy or untranslated message (plural forms included)."""
    problems = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


def missing_messages(extracted: set[tuple[str, str]], po: polib.POFile) -> list[str]:
    """Messages the code has that the catalogue lacks (run `make messages`, then translate them)."""
    present = {entry_key(entry) for entry in po if not entry.obsolete}
    return sorted(f"{ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in extracted - present)


def extracted_messages(domain: str, workdir: Path) -> set[tuple[str, str]]:
    """What `makemessages -d <domain>` extracts today: run on a copy of the sources (never touching locale/)."""
    base = Path(settings.BASE_DIR)
    src = workdir / "src"
    for name in SOURCE_DIRS:
        if (base / name).is_dir():
            shutil.copytree(
                base / name,
                src / name,
                ignore=lambda d, names: [
                    n
                    for n in names
                    if not (Path(d, n).is_dir() or n.endswith(SOURCE_SUFFIXES[domain])) or n == "__pycache__"
                ],
            )
    (src / "locale").mkdir(parents=True)
    with override_settings(LOCALE_PATHS=[str(src / "locale")]), contextlib.chdir(src):
        call_command("makemessages", domain=domain, locale=["es"], keep_pot=True, verbosity=0, no_obsolete=True)
    pot = src / "locale" / f"{domain}.pot"
    if not pot.exists():  # nothing to extract (e.g. no JavaScript strings)
        return set()
    return {entry_key(entry) for entry in polib.pofile(str(pot)) if entry.msgid}
