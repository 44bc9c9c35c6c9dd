from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from grants.models import Application, ApplicationSubmission
from tests.factories.grants_extra import complete, draft_for, round_with_form

pytestmark = pytest.mark.django_db


def test_public_eligibility_check_explains_why_without_an_account(client):
    funding_round = round_with_form(
        eligibility=[("Do you work in Millbrook?", True, "this round funds groups working in Millbrook.")]
    )
    question = funding_round.eligibility_questions.get()
    response = client.post(reverse("grants:round_eligibility", args=[funding_round.slug]), {f"e_{question.pk}": "no"})
    assert response.status_code == 200
    assert "You are not eligible because this round funds groups working in Millbrook." in response.content.decode()

    response = client.post(reverse("grants:round_eligibility", args=[funding_round.slug]), {f"e_{question.pk}": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("grants:application_start", args=[funding_round.slug])


def test_step_saves_draft_and_moves_on(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    url = reverse("grants:application_step", args=[application.pk, 0])
    response = client.post(
        url, {"title": "Night outreach", "summary": "Kits", "requested_amount": "25000", "go": "next"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/step/1/")
    application.refresh_from_db()
    assert application.title == "Night outreach"
    assert application.requested_amount == Decimal("25000.00")

    response = client.post(
        reverse("grants:application_step", args=[application.pk, 1]),
        {"q_problem": "word " * 60, "q_contact_name": "Rosa", "go": "next"},
    )
    assert response.status_code == 200  # over the word limit: shown again with the error, but kept
    assert "Please keep this to 50 words (you have 60)" in response.content.decode()
    application.refresh_from_db()
    assert application.answers["problem"].startswith("word word")


def test_autosave_endpoint_saves_answers(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    response = client.post(reverse("grants:application_autosave", args=[application.pk, 1]), {"q_contact_name": "Sam"})
    assert response.status_code == 200 and response.json()["saved"] is True
    application.refresh_from_db()
    assert application.answers["contact_name"] == "Sam"


def test_autosave_after_session_expired_asks_to_sign_in_and_changes_nothing(client):
    funding_round = round_with_form()
    application, _user = draft_for(funding_round)
    response = client.post(reverse("grants:application_autosave", args=[application.pk, 1]), {"q_contact_name": "Sam"})
    assert response.status_code == 401
    assert "login_url" in response.json()
    application.refresh_from_db()
    assert "contact_name" not in application.answers


def test_text_posted_after_the_session_expired_is_saved_after_signing_in(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    url = reverse("grants:application_step", args=[application.pk, 1])
    response = client.post(url, {"q_problem": "Typed while signed out", "go": "save"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(user)  # login keeps the anonymous session's data
    response = client.get(url)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.answers["problem"] == "Typed while signed out"


def test_submit_allocates_reference_emails_and_freezes_a_snapshot(client, django_capture_on_commit_callbacks):
    funding_round = round_with_form(reference_prefix="CRF")
    application, user = draft_for(funding_round)
    complete(application)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("grants:application_review", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference.startswith("CRF-") and application.reference.endswith("-0001")
    assert len(mail.outbox) == 1 and application.reference in mail.outbox[0].subject
    submission = ApplicationSubmission.objects.get(application=application)
    assert submission.answers["contact_name"] == "Rosa"
    assert submission.organisation_snapshot["legal_name"] == application.organisation.legal_name

    application.organisation.legal_name = "Renamed Later"
    application.organisation.save()
    application.refresh_from_db()
    assert application.organisation_snapshot["legal_name"] != "Renamed Later"


def test_submit_lists_every_problem_with_links(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    response = client.post(reverse("grants:application_review", args=[application.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Some answers need your attention" in body
    assert "?check=1#id_q_problem" in body
    assert "?check=1#id_title" in body
    application.refresh_from_db()
    assert application.status == "draft" and application.reference is None


def test_budget_total_must_match_requested_amount(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    application.requested_amount = Decimal("30000.00")
    application.save()
    client.force_login(user)
    response = client.post(reverse("grants:application_review", args=[application.pk]))
    assert "The budget adds up to 25,000.00 but you are requesting 30,000.00" in response.content.decode()


def test_conditional_question_required_only_when_shown(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    application.answers["peer_led"] = "yes"
    application.save()
    client.force_login(user)
    response = client.post(reverse("grants:application_review", args=[application.pk]))
    assert "Tell us about the peers" in response.content.decode()
    application.answers["peer_details"] = "Three peer workers"
    application.save()
    response = client.post(reverse("grants:application_review", args=[application.pk]))
    assert response.status_code == 302


def test_pdf_copy_shows_what_was_submitted(client):
    import io

    from pypdf import PdfReader

    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    client.force_login(user)
    client.post(reverse("grants:application_review", args=[application.pk]))
    response = client.get(reverse("grants:application_pdf", args=[application.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Too few naloxone kits" in text and "Night outreach" in text


def test_the_submit_request_only_queues_the_confirmation_and_the_worker_attaches_the_pdf_copy(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    import io

    from pypdf import PdfReader

    from grants import services, tasks

    funding_round = round_with_form(reference_prefix="CRF")
    application, user = draft_for(funding_round)
    complete(application)
    client.force_login(user)
    queued = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: queued.append((task, args)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("grants:application_review", args=[application.pk]))
    assert response.status_code == 302
    submission = ApplicationSubmission.objects.get(application=application)
    assert (
        queued == [(tasks.submission_confirmation_task, (submission.pk,))] and mail.outbox == []
    )  # no PDF rendered, no email built in the request

    assert tasks.submission_confirmation_task.call(submission.pk) == "sent"
    [email] = mail.outbox
    application.refresh_from_db()
    assert application.reference in email.subject and "A PDF copy of what you submitted is attached." in email.body
    [(name, content, mimetype)] = email.attachments
    assert name == f"{application.reference}.pdf" and mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert application.reference in text and "Too few naloxone kits" in text


def test_starting_needs_eligibility_then_an_organisation_and_returns_the_same_draft(client):
    from applicants.models import Membership
    from tests.factories.portal import UserFactory

    funding_round = round_with_form(eligibility=[("In Millbrook?", True, "we only fund Millbrook.")])
    start = reverse("grants:application_start", args=[funding_round.slug])
    user = UserFactory()
    client.force_login(user)
    assert client.get(start)["Location"] == reverse("grants:round_eligibility", args=[funding_round.slug])
    question = funding_round.eligibility_questions.get()
    client.post(reverse("grants:round_eligibility", args=[funding_round.slug]), {f"e_{question.pk}": "yes"})
    assert client.get(start)["Location"] == reverse("applicants:organisation_create")

    membership = Membership.objects.create(
        user=user, organisation=draft_for(funding_round)[0].organisation, role="member"
    )
    first = client.post(start)
    second = client.post(start)
    assert first["Location"] == second["Location"]
    assert Application.objects.filter(organisation=membership.organisation).count() == 1


def test_closed_round_does_not_start_new_applications(client):
    from django.utils import timezone

    from tests.factories.applicants import MembershipFactory

    funding_round = round_with_form(closes_at=timezone.now() - timezone.timedelta(days=1))
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.post(reverse("grants:application_start", args=[funding_round.slug]), follow=True)
    assert "not accepting applications" in response.content.decode()
    assert not Application.objects.filter(organisation=membership.organisation).exists()


def test_a_round_in_preparation_is_not_public(client):
    funding_round = round_with_form(status="draft")
    assert client.get(reverse("grants:round_eligibility", args=[funding_round.slug])).status_code == 404
