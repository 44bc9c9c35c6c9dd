import pytest

from grants.models import ApplicationFormVersion, FundingRound
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


def _management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _question(i, key, kind, label, **extra):
    data = {"key": key, "kind": kind, "label": label, "required": "on", "ORDER": str(i + 1), **extra}
    return {f"form_questions-{i}-{name}": value for name, value in data.items()}


def test_program_staff_create_a_round_with_its_form_and_the_first_version_is_published(client, staff):
    fund = FundFactory()
    data = {
        "fund": fund.pk,
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
        **_management("eligibility_questions", 1),
        "eligibility_questions-0-text": "Do you work in Millbrook?",
        "eligibility_questions-0-required_answer": "on",
        "eligibility_questions-0-ineligible_message": "we only fund work in Millbrook.",
        "eligibility_questions-0-ORDER": "1",
        **_management("form_questions", 2),
        **_question(0, "urgent_need", "long_text", "What is the urgent need?", word_limit="150"),
        **_question(1, "needed_by", "date", "When do you need the money?"),
        **_management("designated_campaigns", 0),  # no campaign's restricted money designated for this round
    }
    client.force_login(staff)
    response = client.post("/admin/funding_rounds/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    funding_round = FundingRound.objects.get(slug="rapid-response")
    version = ApplicationFormVersion.objects.get(round=funding_round)
    assert [q["key"] for q in version.definition] == ["urgent_need", "needed_by"]
    assert version.definition[0]["word_limit"] == 150
    assert funding_round.eligibility_questions.get().ineligible_message == "we only fund work in Millbrook."


def test_editor_cannot_create_a_round(client, editor):
    client.force_login(editor)
    response = client.post("/admin/funding_rounds/new/", {"title": "x"})
    assert response.status_code == 403
    assert not FundingRound.objects.exists()
