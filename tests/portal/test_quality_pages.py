"""`make quality` (scripts/quality_pages.py): what fails the check, and the tools it runs are pinned."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("quality_pages", ROOT / "scripts" / "quality_pages.py")
quality_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(quality_pages)


def _vnu(kind, message, url="file:/tmp/q/html/home.html", sub_type=None):
    entry = {"type": kind, "url": url, "lastLine": 3, "message": message, "extract": "<div id=a>"}
    if sub_type:
        entry["subType"] = sub_type
    return entry


def test_vnu_errors_and_fatal_errors_fail_warnings_are_only_shown():
    files = [Path("/tmp/q/html/home.html"), Path("/tmp/q/html/donate.html")]
    messages = [
        _vnu("error", "Duplicate ID “a”."),
        _vnu("info", "The first occurrence of ID “a” was here.", sub_type="warning"),
        _vnu("non-document-error", "Cannot read file", url="file:/tmp/q/html/donate.html", sub_type="fatal"),
        _vnu("info", "Trailing slash on void elements", url="file:/tmp/q/html/donate.html"),
    ]

    failures, lines = quality_pages.vnu_summary(messages, files)

    assert failures == 2
    assert "  vnu home: 1 error(s), 1 warning(s)" in lines
    assert "    ERROR line 3: Duplicate ID “a”." in lines
    assert "    warning line 3: The first occurrence of ID “a” was here." in lines
    assert "  vnu donate: 1 error(s), 0 warning(s)" in lines
    assert not any("Trailing slash" in line for line in lines)


def test_vnu_clean_pages_pass():
    failures, lines = quality_pages.vnu_summary([], [Path("/tmp/q/html/home.html")])
    assert failures == 0
    assert lines == ["  vnu home: ok, 0 warning(s)"]


def _report(accessibility, best_practices, failing_audit=None):
    audits = {
        "color-contrast": {"id": "color-contrast", "title": "Contrast", "score": 1, "details": {"items": []}},
        "errors-in-console": {"id": "errors-in-console", "title": "No errors", "score": 1, "details": {"items": []}},
    }
    if failing_audit:
        audits[failing_audit]["score"] = 0
        audits[failing_audit]["details"]["items"] = [{"node": {"snippet": '<a class="faint">'}}]
    return {
        "categories": {
            "accessibility": {"score": accessibility, "auditRefs": [{"id": "color-contrast", "weight": 7}]},
            "best-practices": {"score": best_practices, "auditRefs": [{"id": "errors-in-console", "weight": 1}]},
        },
        "audits": audits,
    }


def test_lighthouse_anything_under_100_fails_and_names_the_audit():
    failures, lines = quality_pages.lighthouse_summary(
        "home (mobile)", _report(0.96, 1, failing_audit="color-contrast")
    )

    assert failures == 1
    assert lines[0] == "  lighthouse home (mobile): accessibility 96, best-practices 100"
    assert "    FAILED accessibility/color-contrast: Contrast" in lines
    assert '      <a class="faint">' in lines


def test_lighthouse_100_on_both_categories_passes():
    failures, lines = quality_pages.lighthouse_summary("donate (desktop)", _report(1, 1))
    assert failures == 0
    assert lines == ["  lighthouse donate (desktop): accessibility 100, best-practices 100"]


def test_lighthouse_that_could_not_load_the_page_fails():
    failures, lines = quality_pages.lighthouse_summary("impact (mobile)", {"runtimeError": {"code": "NO_FCP"}})
    assert failures == 1


def test_the_tools_are_pinned_to_exact_versions_in_the_lockfile():
    wanted = json.loads((ROOT / "tools" / "package.json").read_text())["devDependencies"]
    locked = json.loads((ROOT / "tools" / "package-lock.json").read_text())["packages"]

    assert wanted["lighthouse"] == "12.2.3"
    for name, version in wanted.items():
        assert version[0].isdigit(), f"{name} is not pinned to one version"
        assert locked[f"node_modules/{name}"]["version"] == version
