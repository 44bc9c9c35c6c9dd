"""A question staff mark as identifying is hidden from reviewers when the panel reviews blind."""

import pytest

from grants.models import FormQuestion
from grants.review.selectors import review_answer_rows
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_identifying_question_is_left_out_of_blind_review_only():
    application = ApplicationFactory()
    FormQuestion.objects.create(
        round=application.round, key="website", kind="short_text", label="Your website", identifying=True, sort_order=0
    )
    FormQuestion.objects.create(round=application.round, key="need", kind="short_text", label="The need", sort_order=1)
    definition = [q.as_definition() for q in application.round.form_questions.order_by("sort_order")]
    application.form_snapshot = {"version": 1, "questions": definition}
    application.answers = {"website": "https://northside-peer.example", "need": "Evening hours"}

    blind = review_answer_rows(application, blind=True)
    open_rows = review_answer_rows(application, blind=False)

    assert [row["label"] for row in blind] == ["The need"]
    assert [row["label"] for row in open_rows] == ["Your website", "The need"]
