"""The staff form editor: a conditional question picks its trigger from the earlier choice questions (validated);
staff preview a round's form as applicants see it."""

import re

import pytest
from django.urls import reverse

from grants.models import FormQuestion, FundingRound
from tests.factories.fund import FundFactory
from tests.factories.grants_extra import round_with_form

pytestmark = pytest.mark.django_db


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _question(i, key, kind, label, **extra):
    data = {"key": key, "kind": kind, "label": label, "required": "on", "ORDER": str(i + 1), **extra}
    return {f"form_questions-{i}-{name}": value for name, value in data.items()}


def _round_data(*questions):
    data = {
        "fund": FundFactory().pk,
        "title": "Rapid Response",
        "slug": "rapid-response",
        "summary": "",
        "reference_prefix": "RRM",
        "budget": "60000",
        "min_request": "250",
        "max_request": "5000",
        "opens_at": "2026-01-01 09:00",
        "closes_at": "",
        "status": "open",
        "reviews_per_application": "3",
        "review_deadline": "",
        "report_every_months": "6",
        "report_due_days": "30",
        "grant_months": "12",
        **_management("impact_metrics", 0),
        **_management("eligibility_questions", 0),
        **_management("form_questions", len(questions)),
        **_management("designated_campaigns", 0),
    }
    for question in questions:
        data.update(question)
    return data


def test_a_condition_on_an_earlier_choice_question_is_saved(client, staff):
    client.force_login(staff)
    data = _round_data(
        _question(0, "peer_led", "yes_no", "Is the project peer-led?"),
        _question(1, "peers", "long_text", "Tell us about the peers", show_if_key="peer_led", show_if_value="yes"),
    )
    response = client.post("/admin/funding_rounds/new/", data)
    assert response.status_code == 302
    question = FormQuestion.objects.get(key="peers")
    assert (question.show_if_key, question.show_if_value) == ("peer_led", "yes")


@pytest.mark.parametrize(
    "questions,field,message",
    [
        (  # the trigger comes after the question
            [
                _question(0, "peers", "long_text", "Peers", show_if_key="peer_led", show_if_value="yes"),
                _question(1, "peer_led", "yes_no", "Peer-led?"),
            ],
            "show_if_key",
            "Choose a question that comes before this one.",
        ),
        (  # the trigger is not a choice question
            [
                _question(0, "name", "short_text", "Name"),
                _question(1, "peers", "long_text", "Peers", show_if_key="name", show_if_value="Rosa"),
            ],
            "show_if_key",
            "Choose a choice or yes/no question.",
        ),
        (  # the answer is not one of the trigger's choices
            [
                _question(0, "area", "single_choice", "Area", choices="Northside\nRiverside"),
                _question(1, "peers", "long_text", "Peers", show_if_key="area", show_if_value="Old Town"),
            ],
            "show_if_value",
            "Choose one of that question&#x27;s answers.",
        ),
    ],
)
def test_a_condition_that_cannot_work_is_refused(client, staff, questions, field, message):
    client.force_login(staff)
    response = client.post("/admin/funding_rounds/new/", _round_data(*questions))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FundingRound.objects.filter(slug="rapid-response").exists()


def test_the_editor_offers_the_choice_questions_and_their_answers_as_lists(client, staff):
    funding_round = round_with_form()
    client.force_login(staff)
    body = client.get(f"/admin/funding_rounds/edit/{funding_round.pk}/").content.decode()
    assert '<option value="peer_led">Is the project peer-led? (peer_led)</option>' in body
    assert '<option value="peer_led" selected>Is the project peer-led? (peer_led)</option>' in body  # saved condition
    assert '<optgroup label="Areas">' in body and '<option value="Riverside">Riverside</option>' in body
    assert '<option value="problem">' not in body  # a long-text question cannot trigger


def test_program_staff_preview_every_step_read_only_with_conditions_shown(client, staff):
    funding_round = round_with_form()
    client.force_login(staff)
    preview = reverse("grants_admin:round_form_preview", args=[funding_round.pk])
    assert preview in client.get(f"/admin/funding_rounds/edit/{funding_round.pk}/").content.decode()
    response = client.get(preview)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Step 1 of 3: About your project" in body
    assert "Step 2 of 3: The need" in body and "Step 3 of 3: Money" in body
    assert "Shown only if “Is the project peer-led?” is answered “yes”." in body
    assert "Tell us about the peers" in body and "is-conditional-hidden" not in body
    assert re.search(r'<textarea name="q_problem"[^>]*disabled', body)
    assert "<form" not in body.split('id="preview-step-1"', 1)[1]  # nothing to send


def test_only_program_staff_preview_a_form(client, editor):
    funding_round = round_with_form()
    client.force_login(editor)
    assert client.get(reverse("grants_admin:round_form_preview", args=[funding_round.pk])).status_code == 403
