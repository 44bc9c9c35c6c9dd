"""The Spanish and French catalogues are complete: no untranslated or fuzzy message, and nothing the code says that
`make messages` would add. (The checker's own tests come first: they must fail on a bad catalogue.)"""

import shutil

import polib
import pytest

from tests.portal.catalogues import catalogue_path, catalogue_problems, extracted_messages, missing_messages

LANGUAGES = ("es", "fr")

FIXTURE = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Donate"
msgstr "Donar"

#, fuzzy
msgid "Apply"
msgstr "Solicitar"

msgid "Sign in"
msgstr ""

msgid "one gift"
msgid_plural "%(count)s gifts"
msgstr[0] "una donación"
msgstr[1] ""

msgctxt "month"
msgid "May"
msgstr "mayo"
"""


def test_checker_flags_fuzzy_untranslated_and_half_translated_plurals():
    po = polib.pofile(FIXTURE)
    assert catalogue_problems(po) == ["fuzzy: 'Apply'", "untranslated: 'Sign in'", "untranslated: 'one gift'"]


def test_checker_flags_messages_the_code_has_and_the_catalogue_lacks():
    po = polib.pofile(FIXTURE)
    extracted = {("", "Donate"), ("month", "May"), ("", "Thank you"), ("verb", "Donate")}
    assert missing_messages(extracted, po) == ["'Thank you'", "verb | 'Donate'"]


needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="xgettext is missing: apt-get install gettext (.ci/run does)"
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalogue_has_no_untranslated_or_fuzzy_message(language, domain):
    path = catalogue_path(language, domain)
    assert path.exists(), f"{path} is missing: run `make messages` and translate it"
    problems = catalogue_problems(polib.pofile(str(path)))
    assert not problems, f"{path}:\n" + "\n".join(problems)


@needs_gettext
@pytest.mark.slow
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalogues_hold_every_message_of_the_code(domain, tmp_path):
    extracted = extracted_messages(domain, tmp_path)
    assert extracted or domain == "djangojs", "makemessages found no message at all: is the extraction broken?"
    for language in LANGUAGES:
        path = catalogue_path(language, domain)
        assert path.exists(), f"{path} is missing: run `make messages` and translate it"
        missing = missing_messages(extracted, polib.pofile(str(path)))
        assert not missing, f"{path} lacks (run `make messages`, then translate):\n" + "\n".join(missing)
