"""Emails and PDFs are written in the recipient's language, whoever caused them (a tiny French catalogue compiled
for the test stands in for the real ones)."""

import polib
import pytest
from django.utils import translation

from fund.donations.models import Donation
from portal.emails import build_email
from portal.i18n import language_for, written_for
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = "More time for your application to %(round)s"


@pytest.fixture
def french_catalogue(settings, tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
    po.append(polib.POEntry(msgid=SUBJECT, msgstr="Plus de temps pour votre demande à %(round)s"))
    po.append(polib.POEntry(msgid="Language", msgstr="Langue"))
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [str(tmp_path)]  # Django drops its loaded catalogues when this setting changes
    yield
    translation.activate("en")


def subject_for(to):
    context = {"round": "Peer Support 2026", "title": "x", "new_deadline": None, "url": "/"}
    return build_email(template="grants/extension_granted", to=to, context=context)["subject"]


def test_an_email_to_a_french_speaker_is_written_in_french_whoever_sends_it(french_catalogue):
    UserFactory(email="amelie@example.org", language="fr")
    UserFactory(email="bob@example.org")
    with translation.override("es"):  # the staff member who caused it reads Spanish
        assert subject_for(["amelie@example.org"]) == "Plus de temps pour votre demande à Peer Support 2026"
        assert subject_for(["bob@example.org"]) == "More time for your application to Peer Support 2026"
        assert subject_for(["stranger@example.org"]) == "More time for your application to Peer Support 2026"


def test_language_for_people_donors_and_gifts(db):
    user = UserFactory(language="fr")
    assert language_for(user) == "fr"
    assert language_for(user.email.upper()) == "fr"
    assert language_for(UserFactory()) == "en"
    assert language_for(None) == "en"
    gift = Donation(language="es")
    assert language_for(gift) == "es"  # a donor without an account: the site they gave on


def test_documents_are_rendered_in_their_recipients_language(french_catalogue):
    reader = UserFactory(language="fr")

    @written_for(lambda person: person)
    def document(person):
        return translation.gettext("Language")

    with translation.override("en"):
        assert document(reader) == "Langue"
        assert document(UserFactory()) == "Language"
