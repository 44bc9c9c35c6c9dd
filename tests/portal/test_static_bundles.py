"""One stylesheet per page, built from the source files so an edit to any of them flows into the bundle."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.factories.cms import make_site

pytestmark = pytest.mark.django_db

BUNDLE = "css/site.bundle.css"


@pytest.fixture
def bundle_dir(settings, tmp_path):
    settings.STATIC_BUNDLES_DIR = tmp_path / "bundles"
    return settings.STATIC_BUNDLES_DIR


def test_the_bundle_holds_every_source_file_in_order(settings, bundle_dir):
    text = Path(finders.find(BUNDLE)).read_text()
    positions = []
    for source in settings.STATIC_BUNDLES[BUNDLE]:
        body = Path(finders.find(source)).read_text().strip()
        assert body in text, source
        positions.append(text.index(body))
    assert positions == sorted(positions)
    every_css = {f"css/{path.name}" for path in Path(settings.BASE_DIR, "static", "css").glob("*.css")}
    assert every_css - set(settings.STATIC_BUNDLES[BUNDLE]) == {"css/admin.css"}  # the admin's own, not the site's


def test_an_edit_to_a_source_file_shows_in_the_bundle_at_once(settings, bundle_dir, tmp_path):
    source_dir = tmp_path / "static"
    (source_dir / "css").mkdir(parents=True)
    (source_dir / "css" / "site.css").write_text(".first { color: red; }\n")
    (source_dir / "css" / "cms.css").write_text(".second { color: blue; }\n")
    settings.STATICFILES_DIRS = [source_dir]
    settings.STATIC_BUNDLES = {BUNDLE: ["css/site.css", "css/cms.css"]}
    assert ".first { color: red; }" in Path(finders.find(BUNDLE)).read_text()
    (source_dir / "css" / "site.css").write_text(".first { color: green; }\n")
    text = Path(finders.find(BUNDLE)).read_text()
    assert ".first { color: green; }" in text and ".second { color: blue; }" in text
    assert "red" not in text


def test_collectstatic_collects_the_bundle(settings, bundle_dir, tmp_path):
    settings.STATIC_ROOT = tmp_path / "collected"
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "collected" / BUNDLE).read_text() == Path(finders.find(BUNDLE)).read_text()


def test_public_and_portal_pages_link_one_stylesheet(client, mfa_user_factory, login):
    make_site()
    pages = [client.get("/").content.decode(), client.get("/about/").content.decode()]
    login(mfa_user_factory())
    pages.append(client.get("/dashboard/").content.decode())
    for html in pages:
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/css/site.bundle.css"]
