"""Application forms in several languages: staff translate each question, help text, choice and eligibility
question; the applicant sees the form in their language (English where not translated); the application records the
language it was submitted in, its PDF keeps it, and staff see each question in both languages."""

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from grants.forms_application import display_answer, localize_question
from grants.models import FormQuestion
from tests.factories.grants_extra import STANDARD_QUESTIONS, complete, draft_for, round_with_form

pytestmark = pytest.mark.django_db

SPANISH = {
    "problem": {"label_es": "¿Qué problema abordará?", "help_text_es": "En pocas palabras."},
    "areas": {"label_es": "Zonas", "choices_es": "Lado norte\nRibera"},
    "need": {"label_es": "La necesidad"},
}


def translated_round(**kwargs):
    questions = [{**q, **SPANISH.get(q["key"], {})} for q in STANDARD_QUESTIONS]
    return round_with_form(
        questions=questions,
        eligibility=[("Do you work in Millbrook?", True, "this round funds groups working in Millbrook.")],
        **kwargs,
    )


def in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def test_translated_choices_must_match_the_english_ones():
    funding_round = round_with_form(questions=[])
    question = FormQuestion(
        round=funding_round, key="areas", kind="multiple_choice", label="Areas", choices="A\nB", choices_es="Uno"
    )
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "choices_es" in error.value.message_dict
    question.choices_es = "Uno\nDos"
    question.full_clean()
    assert question.as_definition()["translations"]["es"] == {"label": "", "help_text": "", "choices": ["Uno", "Dos"]}


def test_untranslated_question_definition_is_unchanged():
    funding_round = round_with_form(questions=[{"key": "x", "kind": "short_text", "label": "Name"}])
    assert "translations" not in funding_round.form_questions.get().as_definition()


def test_applicant_sees_the_form_in_their_language_with_english_fallback(client):
    funding_round = translated_round()
    application, user = draft_for(funding_round)
    client.force_login(user)
    html = in_spanish(client).get(reverse("grants:application_step", args=[application.pk, 1])).content.decode()
    assert "¿Qué problema abordará?" in html and "En pocas palabras." in html
    assert "La necesidad" in html
    assert "Contact name" in html  # not translated: English
    assert "What problem will you address?" not in html
    html = client.get(reverse("grants:application_step", args=[application.pk, 2])).content.decode()
    assert "Lado norte" in html and 'value="Northside"' in html  # the stored value stays the English choice


def test_eligibility_questions_and_reasons_in_the_visitors_language(client):
    funding_round = translated_round()
    question = funding_round.eligibility_questions.get()
    question.text_es = "¿Trabaja en Millbrook?"
    question.ineligible_message_es = "esta convocatoria financia a grupos de Millbrook."
    question.save()
    # A public page: its language is the URL's (/es/...), as the call page in Spanish links to it.
    url = reverse("grants:round_eligibility", args=[funding_round.slug])
    with translation.override("es"):
        url_es = reverse("grants:round_eligibility", args=[funding_round.slug])
    assert url_es == f"/es{url}"
    assert "¿Trabaja en Millbrook?" in client.get(url_es).content.decode()
    html = client.post(url_es, {f"e_{question.pk}": "no"}).content.decode()
    assert "esta convocatoria financia a grupos de Millbrook." in html
    assert "Do you work in Millbrook?" in in_spanish(client).get(url).content.decode()


def submit_in_spanish(client, django_capture_on_commit_callbacks):
    funding_round = translated_round()
    application, user = draft_for(funding_round)
    complete(application)
    application.answers["areas"] = ["Northside"]
    application.save()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = in_spanish(client).post(reverse("grants:application_review", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    return application


def test_submitted_application_records_its_language_and_its_pdf_keeps_it(client, django_capture_on_commit_callbacks):
    application = submit_in_spanish(client, django_capture_on_commit_callbacks)
    assert application.language == "es"
    assert application.answers["areas"] == ["Northside"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # read later in English: the PDF stays as it was filled in
    response = client.get(reverse("grants:application_pdf", args=[application.pk]))
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "¿Qué problema abordará?" in text and "Lado norte" in text
    assert "What problem will you address?" not in text


def test_staff_see_each_question_in_the_applicants_language_and_in_english(
    client, django_capture_on_commit_callbacks, mfa_user_factory
):
    application = submit_in_spanish(client, django_capture_on_commit_callbacks)
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(mfa_user_factory("Program staff"))
    html = client.get(reverse("grants_admin:application_detail", args=[application.pk])).content.decode()
    assert '<span lang="es">¿Qué problema abordará?</span>' in html
    assert '<span lang="en">What problem will you address?</span>' in html
    assert "Lado norte" in html


def test_choice_answers_display_in_the_questions_language():
    question = {"key": "a", "kind": "single_choice", "label": "Area", "choices": ["Northside", "Riverside"]}
    question["translations"] = {"es": {"label": "Zona", "help_text": "", "choices": ["Lado norte", "Ribera"]}}
    assert display_answer(localize_question(question, "es"), "Riverside") == "Ribera"
    assert display_answer(localize_question(question, "fr"), "Riverside") == "Riverside"
    assert localize_question(question, "fr")["label"] == "Area"
