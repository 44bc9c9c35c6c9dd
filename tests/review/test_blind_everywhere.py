"""Blind review: before and during scoring, a reviewer never sees who applied, on any page or in any email: not the
organisation's name, its registration number, its email domain, nor its people, even where the applicant wrote them
into the title, the summary, an answer or a file name."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from grants.models import Attachment
from grants.review.models import Assignment, PanelMember
from grants.review.panels import panel_member_remove
from grants.review.reminders import review_reminders_send
from grants.review.services import assignment_remove, assignments_auto, conflict_declare, review_reopen, review_save
from portal import roles
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.grants import ApplicationFactory
from tests.factories.portal import UserFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db

SECRETS = ["Northside Peer Collective", "NPC Harm Reduction", "84-2211907", "northside-peer.org", "Rosa Delgado"]


def _assert_blind(text, where):
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), f"{secret!r} shown in {where}"


@pytest.fixture
def blind_setup(review_round, mfa_user_factory, staff_user):
    panel = review_round.panel
    panel.blind_review = True
    panel.save()
    review_round.review_deadline = timezone.now() + timedelta(days=10)
    review_round.save()
    org = OrganisationFactory(
        legal_name="Northside Peer Collective",
        operating_name="NPC Harm Reduction",
        registration_number="84-2211907",
        email="hello@northside-peer.org",
        website="https://www.northside-peer.org/about",
    )
    MembershipFactory(organisation=org, user=UserFactory(first_name="Rosa", last_name="Delgado"))
    application = ApplicationFactory(
        round=review_round,
        organisation=org,
        status="in_review",
        title="Northside Peer Collective: naloxone on every corner",
        summary="NPC Harm Reduction has handed out kits since 2019. Ask Rosa Delgado.",
        form_snapshot={
            "questions": [
                {"key": "plan", "kind": "long_text", "label": "What will you do?"},
                {"key": "lead", "kind": "short_text", "label": "Who leads it?", "identifying": True},
                {"key": "budget", "kind": "file", "label": "Budget"},
                {"key": "letters", "kind": "file", "label": "Letters of support", "identifying": True},
            ]
        },
        answers={
            "plan": "Train 40 peers. Questions to rosa@northside-peer.org or see www.northside-peer.org.",
            "lead": "Rosa Delgado",
        },
        organisation_snapshot={"legal_name": "Northside Peer Collective", "email": "hello@northside-peer.org"},
    )
    for key, name in (("budget", "Northside Peer Collective budget.pdf"), ("letters", "Letter from Rosa.pdf")):
        attachment = Attachment(
            application=application, question_key=key, original_name=name, content_type="application/pdf", size=8
        )
        attachment.file.save("x", ContentFile(b"%PDF-1.4"), save=True)
    reviewer = mfa_user_factory(roles.REVIEWER, first_name="Tasha", last_name="Greene")
    member = PanelMember.objects.create(panel=panel, user=reviewer, kind=PanelMember.Kind.COMMUNITY)
    for kind in (PanelMember.Kind.STAFF, PanelMember.Kind.EXTERNAL):
        PanelMemberFactory(panel=panel, kind=kind)
    return {"application": application, "reviewer": reviewer, "member": member, "staff": staff_user}


def test_no_reviewer_page_names_the_applicant(client, login, blind_setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assignments_auto(round=blind_setup["application"].round, by=blind_setup["staff"])
    assignment = Assignment.objects.get(member=blind_setup["member"])
    login(blind_setup["reviewer"])

    pages = {
        "dashboard": client.get(reverse("portal:dashboard")),
        "my reviews": client.get(reverse("review:my_reviews")),
        "conflict declaration": client.get(reverse("review:declare", args=[assignment.pk])),
    }
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    pages["scoring page"] = client.get(reverse("review:score", args=[assignment.pk]))
    for where, response in pages.items():
        assert response.status_code == 200, where
        _assert_blind(response.content.decode(), where)

    score_page = pages["scoring page"].content.decode()
    assert "Train 40 peers" in score_page and "naloxone on every corner" in score_page  # the content is there
    assert "attachment-1.pdf" in score_page and "Letter from Rosa" not in score_page
    assert "<title>Review CRF-" in score_page
    budget = Attachment.objects.get(question_key="budget")
    letters = Attachment.objects.get(question_key="letters")
    download = client.get(reverse("review:attachment", args=[assignment.pk, budget.pk]))
    assert download.status_code == 200
    _assert_blind(download["Content-Disposition"], "download name")
    assert client.get(reverse("review:attachment", args=[assignment.pk, letters.pk])).status_code == 404


def test_the_same_pages_name_the_applicant_when_review_is_not_blind(client, login, blind_setup):
    panel = blind_setup["member"].panel
    panel.blind_review = False
    panel.save()
    assignment = Assignment.objects.create(application=blind_setup["application"], member=blind_setup["member"])
    login(blind_setup["reviewer"])

    declaration = client.get(reverse("review:declare", args=[assignment.pk])).content.decode()
    client.post(reverse("review:declare", args=[assignment.pk]), {"has_conflict": "no"})
    page = client.get(reverse("review:score", args=[assignment.pk])).content.decode()

    assert "NPC Harm Reduction" in declaration
    assert "Northside Peer Collective budget.pdf" in page and "Rosa Delgado" in page


def test_no_email_to_a_reviewer_names_the_applicant(blind_setup, django_capture_on_commit_callbacks):
    application, member, staff = blind_setup["application"], blind_setup["member"], blind_setup["staff"]
    with django_capture_on_commit_callbacks(execute=True):
        assignments_auto(round=application.round, by=staff)
    assignment = Assignment.objects.get(member=member)
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    review = review_save(
        assignment=assignment,
        by=member.user,
        submit=True,
        recommendation="fund",
        scores={c.pk: {"score": 3} for c in application.round.rubric.criteria.all()},
    )
    with django_capture_on_commit_callbacks(execute=True):
        review_reopen(review=review, by=staff, reason="Please add a comment")
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_send()
    other = Assignment.objects.exclude(member=member).filter(application=application).first()
    with django_capture_on_commit_callbacks(execute=True):
        assignment_remove(assignment=other, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        panel_member_remove(member=member, by=staff)

    to_reviewers = [m for m in mail.outbox if m.to != [staff.email]]
    templates_seen = {m.subject.split()[0] for m in to_reviewers}
    assert len(to_reviewers) >= 6, [
        m.subject for m in to_reviewers
    ]  # assigned ×3, reopened, overdue, unassigned, removed
    assert templates_seen
    for message in to_reviewers:
        html = message.alternatives[0][0]
        for part, where in ((message.subject, "subject"), (message.body, "text"), (html, "html")):
            _assert_blind(part, f"email {message.subject!r} ({where})")
        assert application.reference in message.body or "panel" in message.subject
