"""A reviewer reads the application's questions and choice answers in their own language, the English beside them."""

import pytest
from django.utils import translation

from grants.models import FormQuestion
from grants.review.selectors import review_answer_rows
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


def _application():
    application = ApplicationFactory()
    FormQuestion.objects.create(
        round=application.round,
        key="reach",
        kind="single_choice",
        label="Who do you reach?",
        choices="People who use drugs\nFamilies",
        label_es="¿A quién llegan?",
        choices_es="Personas que usan drogas\nFamilias",
        sort_order=0,
    )
    FormQuestion.objects.create(round=application.round, key="need", kind="short_text", label="The need", sort_order=1)
    definition = [q.as_definition() for q in application.round.form_questions.order_by("sort_order")]
    application.form_snapshot = {"version": 1, "questions": definition}
    application.answers = {"reach": "Families", "need": "Evening hours"}
    return application


def test_a_spanish_reviewer_reads_translated_questions_and_choices_with_the_english_beside_them():
    application = _application()
    with translation.override("es"):
        rows = review_answer_rows(application, blind=False)
    assert [(row["label"], row["original_label"], row["text"]) for row in rows] == [
        ("¿A quién llegan?", "Who do you reach?", "Familias"),
        ("The need", "", "Evening hours"),  # not translated: shown once, in English
    ]


def test_an_english_reviewer_reads_the_form_as_written():
    application = _application()
    with translation.override("en"):
        rows = review_answer_rows(application, blind=False)
    assert [(row["label"], row["original_label"], row["text"]) for row in rows] == [
        ("Who do you reach?", "", "Families"),
        ("The need", "", "Evening hours"),
    ]
