"""A visitor switches the public site to Spanish and stays in Spanish from page to page, in a real browser.

The language machinery (prefix, switcher, `lang`) is tested for real; that the text itself is Spanish needs the
catalogues (locale/es). The whole journey of issue 15 follows: home, campaign, the call's eligibility checker, sign-up
and email confirmation, the organisation, the application form, its confirmation email and PDF, all in Spanish."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from grants.models import Application
from tests.factories.cms import translate_page
from tests.factories.grants_extra import add_published_form

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def public_site(transactional_db):
    from tests.factories.cms import make_site

    return make_site()


def switch_to(page, label):
    page.get_by_label(re.compile("Language|Idioma|Langue")).select_option(label=label)
    page.locator("form.language-switcher button").click()
    page.wait_for_load_state()


def test_a_visitor_switches_to_spanish_and_every_page_says_so(browser_page, axe_violations, public_site):
    page = browser_page
    page.goto(page.base_url + "/")
    switch_to(page, "español")
    assert page.url == page.base_url + "/es/"
    for path in ("/es/", "/es/campaigns/naloxone-in-every-pocket/", "/es/apply/2026-community/", "/accounts/signup/"):
        page.goto(page.base_url + path)
        assert page.locator("html").get_attribute("lang") == "es", path
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
    # The nav keeps the visitor in Spanish.
    page.goto(page.base_url + "/es/")
    assert page.locator(".site-nav a", has_text=re.compile(".")).first.get_attribute("href").startswith("/es/")
    switch_to(page, "English")
    assert page.url == page.base_url + "/"
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_spanish_pages_are_written_in_spanish(browser_page, public_site):
    page = browser_page
    page.goto(page.base_url + "/")
    switch_to(page, "español")  # the choice (a cookie) carries to the unprefixed portal pages such as the sign-up
    assert page.get_by_role("link", name="Donar").count() >= 1
    page.goto(page.base_url + "/accounts/signup/")
    assert page.get_by_role("button", name=re.compile("Registr")).count() >= 1


# --- The whole journey in Spanish (issue 15, "Must show") -----------------------------------------------------------

SPANISH_QUESTIONS = [
    {"key": "need", "kind": "section", "label": "The need", "label_es": "La necesidad"},
    {
        "key": "problem",
        "kind": "long_text",
        "label": "What problem will you address?",
        "label_es": "¿Qué problema abordará?",
        "help_text_es": "En pocas palabras.",
    },
    {"key": "contact_name", "kind": "short_text", "label": "Contact name", "label_es": "Nombre de contacto"},
]
SPANISH_ELIGIBILITY = ("¿Su trabajo atiende a personas de Millbrook?", "este fondo solo apoya trabajo en Millbrook.")
PASSWORD = "a-long-unusual-pass-77"


def es(message, **params):
    """The Spanish of `message` as the catalogues give it (so the test follows the translator's wording), and never the
    English: a name found on the page with it proves the page is written in Spanish."""
    with translation.override("es"):
        spanish = gettext(message)
    assert spanish != message or message in SAME_IN_BOTH, f"not translated: {message!r}"
    return spanish % params if params else spanish


SAME_IN_BOTH = {"No"}


def field(page, label):
    """The input labelled exactly `label`, followed or not by the required marker ("*" and, for
    screen readers, "(required)" in Spanish)."""
    required = re.escape(f"({es('required')})")
    return page.get_by_label(re.compile(f"^{re.escape(label)}(\\s*\\*?\\s*{required})?$"))


@pytest.fixture
def spanish_site(public_site):
    """The small site, with its home page, a campaign and the open call translated, and the open round's published
    form and eligibility question in Spanish (as staff fill in each question's Translations panel)."""
    site = public_site
    funding_round = site["open_round"]
    add_published_form(
        funding_round,
        SPANISH_QUESTIONS,
        eligibility=[("Does your work serve people in Millbrook?", True, "this fund only supports work in Millbrook.")],
    )
    question = funding_round.eligibility_questions.get()
    question.text_es, question.ineligible_message_es = SPANISH_ELIGIBILITY
    question.save()
    site["home_es"] = translate_page(
        site["home"],
        "es",
        title="Fondo Comunitario de Resiliencia de Millbrook",
        hero_heading="Respuestas comunitarias",
    )
    site["campaigns_es"] = translate_page(site["campaigns"], "es", title="Campañas")
    site["campaign_page_es"] = translate_page(
        site["campaign_page"], "es", title="Naloxona en cada bolsillo", intro="Naloxona gratis para todo Millbrook."
    )
    site["funding_es"] = translate_page(site["funding"], "es", title="Financiamiento")
    site["open_round_page_es"] = translate_page(
        site["open_round_page"],
        "es",
        title="Subvenciones comunitarias 2026",
        intro="Subvenciones de hasta $50,000.",
        eligibility="<p>Grupos comunitarios de Millbrook.</p>",
    )
    cache.clear()
    yield site
    cache.clear()


def test_a_visitor_reads_checks_signs_up_applies_and_is_answered_in_spanish(browser_page, axe_violations, spanish_site):
    page = browser_page
    visited = []

    def check_page():
        """Every page of the journey: <html lang="es">, one h1, and no serious or critical axe violation."""
        page.wait_for_load_state()
        path = page.url.replace(page.base_url, "")
        visited.append(path)
        assert page.locator("html").get_attribute("lang") == "es", path
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path

    # 1. The home page, switched to Spanish, then a campaign.
    page.goto(page.base_url + "/")
    switch_to(page, "español")
    assert page.url == page.base_url + "/es/"
    check_page()
    assert page.get_by_role("heading", level=1).inner_text() == "Respuestas comunitarias"
    assert page.get_by_role("link", name=es("Donate")).count() >= 1
    page.goto(page.base_url + "/es/campaigns/naloxone-in-every-pocket/")
    check_page()
    assert page.get_by_role("heading", level=1, name="Naloxona en cada bolsillo").count() == 1
    assert page.locator(".content-fallback-notice").count() == 0

    # 2. The Spanish call page, and its eligibility checker.
    page.goto(page.base_url + "/es/funding/2026-community/")
    check_page()
    assert page.get_by_role("heading", level=1, name="Subvenciones comunitarias 2026").count() == 1
    page.get_by_role("link", name=es("Check eligibility / Apply")).click()
    page.wait_for_url(re.compile(r"/es/apply/2026-community/$"))
    check_page()
    assert page.get_by_role("heading", name=es("Can you apply?")).count() == 1
    assert page.get_by_text(SPANISH_ELIGIBILITY[0]).count() >= 1
    page.get_by_role("radio", name=es("Yes")).check()
    page.get_by_role("button", name=es("Check eligibility")).click()
    page.wait_for_url(re.compile(r"/accounts/login/"))  # eligible: the application needs an account
    check_page()

    # 3. Sign up in Spanish, and confirm the address with the link in the (Spanish) email.
    page.goto(page.base_url + "/accounts/signup/")
    check_page()
    field(page, es("Email")).fill("rosa@example.org")
    field(page, es("Password")).fill(PASSWORD)
    field(page, es("Password (again)")).fill(PASSWORD)
    page.get_by_role("button", name=es("Sign Up")).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    check_page()
    user = get_user_model().objects.get(email="rosa@example.org")
    assert user.language == "es"
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["rosa@example.org"]
    assert_spanish_email(confirmation, "Please Confirm Your Email Address")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s\"<>]+)", confirmation.body).group(1)
    page.goto(page.base_url + link)
    check_page()
    page.get_by_role("button", name=es("Confirm")).click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url  # confirming signed her in
    check_page()

    # 4. Register the organisation, then apply with the form in Spanish.
    page.goto(page.base_url + "/organisations/new/")
    check_page()
    field(page, es("Legal name")).fill("Red de Familias de Northside")
    page.locator("#id_org_type").select_option("nonprofit_corporation")
    field(page, es("Registration number")).fill("12-3456789")
    page.get_by_role("button", name=es("Register organisation")).click()
    page.wait_for_url(re.compile(r"/organisations/red-de-familias-de-northside/$"))
    check_page()

    page.goto(page.base_url + "/es/apply/2026-community/start/")
    check_page()  # the eligibility answers given before signing up are on the account now
    page.get_by_role("button", name=es("Start or continue the application")).click()
    page.wait_for_url(re.compile(r"/step/0/$"))
    check_page()
    field(page, es("Project title")).fill("Noches de apoyo entre pares")
    field(page, es("Project summary")).fill("Tres noches por semana con naloxona y apoyo entre pares.")
    field(page, es("Amount requested")).fill("25000")
    page.get_by_role("button", name=es("Save and continue")).click()
    page.wait_for_url(re.compile(r"/step/1/$"))
    check_page()
    assert page.get_by_role("heading", name="La necesidad").count() >= 1
    assert page.get_by_text("What problem will you address?").count() == 0
    field(page, "¿Qué problema abordará?").fill("Demasiadas personas consumen solas de noche.")
    field(page, "Nombre de contacto").fill("Rosa")
    page.get_by_role("button", name=es("Save and check answers")).click()
    page.wait_for_url(re.compile(r"/submit/$"))
    check_page()
    assert page.get_by_text("¿Qué problema abordará?").count() >= 1
    outbox_before = len(mail.outbox)
    page.get_by_role("button", name=es("Submit application")).click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    check_page()
    application = Application.objects.get(round=spanish_site["open_round"])
    assert application.language == "es"
    assert page.get_by_text(application.reference).count() >= 1

    # 5. The confirmation email in Spanish, with the PDF copy in Spanish; the portal's download says the same.
    sent = [m for m in mail.outbox[outbox_before:] if application.reference in m.subject]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    email = sent[0]
    assert "rosa@example.org" in email.to
    assert es("Application %(reference)s received", reference=application.reference) in email.subject
    received = es(
        'Thank you. We received the application "%(title)s" from %(organisation)s to %(round)s. '
        "Its reference is %(reference)s.",
        title=application.title,
        organisation=application.organisation.name,
        round=application.round.title,
        reference=application.reference,
    )
    follow = es("You can follow it and download a PDF copy of what you submitted here:")
    assert received in email.body and follow in email.body
    assert "Thank you" not in email.body
    html = email.alternatives[0][0] if email.alternatives else ""
    assert follow in html
    (name, content, mimetype) = email.attachments[0]
    assert mimetype == "application/pdf" and name == f"{application.reference}.pdf"
    assert_spanish_pdf(content)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=es("Download PDF copy")).click()
    with open(download_info.value.path(), "rb") as fh:
        assert_spanish_pdf(fh.read())

    # 6. Every page of the journey was checked.
    assert len(visited) >= 14, visited


def assert_spanish_email(message, subject):
    assert es(subject) in message.subject, message.subject


def assert_spanish_pdf(content):
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    for spanish in ("¿Qué problema abordará?", "La necesidad", es("Project title"), es("Amount requested")):
        assert spanish in text, (spanish, text[:500])
    assert "What problem will you address?" not in text
    assert "Project title" not in text
