"""Decisions after review: approve commits money through the awards service (or changes nothing), waitlist, decline with
approved feedback, letters and emails that never name reviewers, batch decisions, audit."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from grants.awards.models import Award
from grants.review.decisions import DecisionError, decision_make, decisions_batch
from grants.review.models import Assignment, Decision
from grants.review.services import conflict_declare, review_feedback_approve, review_save
from tests.factories.applicants import MembershipFactory
from tests.factories.awards import fund_with_money
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded_round(review_round):
    fund_with_money(review_round.fund, "40000.00")
    return review_round


@pytest.fixture
def application(funded_round):
    app = ApplicationFactory(
        round=funded_round, status="in_review", requested_amount=Decimal("30000.00"), title="Mobile outreach van"
    )
    MembershipFactory(organisation=app.organisation, user__email="owner@group.example")
    return app


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_approve_commits_the_award_and_emails_the_letter(application, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = decision_make(
            application=application,
            outcome="approve",
            amount=Decimal("25000.00"),
            conditions="Quarterly reports",
            message="Congratulations!",
            by=staff_user,
        )
    application.refresh_from_db()
    assert application.status == "approved"
    award = Award.objects.get(application=application)
    assert award.amount == Decimal("25000.00")
    assert decision.amount == Decimal("25000.00")
    letters = [m for m in mail.outbox if m.attachments]
    assert len(letters) == 1 and letters[0].to == ["owner@group.example"]
    name, content, mimetype = letters[0].attachments[0]
    assert mimetype == "application/pdf"
    text = _pdf_text(content)
    assert "$25,000.00" in text and "Quarterly reports" in text
    assert "Millbrook Community Foundation" in text  # the fund's letterhead
    assert ModelLogEntry.objects.filter(action="review.decision.approve").exists()


def test_approving_more_than_is_available_changes_nothing(application, staff_user):
    other = ApplicationFactory(round=application.round, status="in_review", requested_amount=Decimal("30000.00"))
    decision_make(application=other, outcome="approve", amount=Decimal("30000.00"), by=staff_user)
    with pytest.raises(DecisionError) as excinfo:
        decision_make(application=application, outcome="approve", amount=Decimal("30000.00"), by=staff_user)
    assert "$10,000.00" in str(excinfo.value)
    application.refresh_from_db()
    assert application.status == "in_review"
    assert not Award.objects.filter(application=application).exists()
    assert not Decision.objects.filter(application=application).exists()


def test_amount_above_the_request_is_refused(application, staff_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        decision_make(application=application, outcome="approve", amount=Decimal("30000.01"), by=staff_user)
    application.refresh_from_db()
    assert application.status == "in_review"


def test_decline_sends_approved_feedback_but_never_reviewer_identities(
    application, staff_user, django_capture_on_commit_callbacks
):
    rubric_criteria = list(application.round.rubric.criteria.all())
    reviewers = []
    for feedback, approve in [("Lovely peer model; budget unclear.", True), ("Not for publication.", False)]:
        member = PanelMemberFactory(
            panel=application.round.panel, user__first_name="Zebedee", user__last_name=f"Quill{len(reviewers)}"
        )
        assignment = Assignment.objects.create(application=application, member=member)
        conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
        review = review_save(
            assignment=assignment,
            by=member.user,
            recommendation="do_not_fund",
            submit=True,
            scores={c.pk: {"score": 2} for c in rubric_criteria},
            feedback_to_applicant=feedback,
        )
        if approve:
            review_feedback_approve(review=review, by=staff_user)
        reviewers.append(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        decision_make(
            application=application,
            outcome="decline",
            include_feedback=True,
            by=staff_user,
            message="Please apply again next year.",
        )
    application.refresh_from_db()
    assert application.status == "declined"
    letter = next(m for m in mail.outbox if m.attachments)
    pdf_text = _pdf_text(letter.attachments[0][1])
    html = letter.alternatives[0][0]
    for text in (letter.body, html, pdf_text):
        assert "Lovely peer model" in text
        assert "Not for publication" not in text
        for user in reviewers:
            assert user.last_name not in text and user.email not in text
        assert "Zebedee" not in text


def test_waitlist_then_batch_approve(funded_round, staff_user):
    first = ApplicationFactory(round=funded_round, status="in_review", requested_amount=Decimal("15000.00"))
    second = ApplicationFactory(round=funded_round, status="in_review", requested_amount=Decimal("20000.00"))
    third = ApplicationFactory(round=funded_round, status="in_review", requested_amount=Decimal("20000.00"))
    decision_make(application=third, outcome="waitlist", by=staff_user)
    results = decisions_batch(applications=[first, second, third], outcome="approve", by=staff_user)
    outcomes = {app.pk: (decision is not None, error) for app, decision, error in results}
    assert outcomes[first.pk][0] and outcomes[second.pk][0]
    assert not outcomes[third.pk][0] and "available" in outcomes[third.pk][1]  # 40,000 − 35,000 left 5,000
    third.refresh_from_db()
    assert third.status == "waitlisted"


def test_staff_decide_through_the_admin_and_download_the_letter(client, login, staff_user, application):
    login(staff_user)
    response = client.post(
        reverse("review_admin:decide", args=[application.pk]), {"outcome": "approve", "amount": "99999.00"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "in_review"
    waitlist = {"outcome": "waitlist", "message": "Close call"}
    page = client.post(reverse("review_admin:decide", args=[application.pk]), waitlist)
    assert b"waiting list" in page.content  # restated on a confirmation page first
    application.refresh_from_db()
    assert application.status == "in_review"
    client.post(reverse("review_admin:decide", args=[application.pk]), {**waitlist, "confirmed": "yes"})
    application.refresh_from_db()
    assert application.status == "waitlisted"
    decision = Decision.objects.get(application=application)
    letter = client.get(reverse("review_admin:decision_letter", args=[decision.pk]))
    assert letter["Content-Type"] == "application/pdf"
    assert "waiting list" in _pdf_text(letter.content)


def test_applicant_pages_never_show_reviewer_identities(client, login, application, staff_user):
    member = PanelMemberFactory(panel=application.round.panel, user__last_name="Reviewerson")
    assignment = Assignment.objects.create(application=application, member=member)
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    review_save(
        assignment=assignment,
        by=member.user,
        recommendation="fund",
        submit=True,
        scores={c.pk: {"score": 5} for c in application.round.rubric.criteria.all()},
    )
    owner = application.organisation.memberships.get().user
    login(owner)
    for url in ["/dashboard/", reverse("review:my_reviews"), reverse("review:score", args=[assignment.pk])]:
        response = client.get(url)
        assert "Reviewerson" not in response.content.decode()
