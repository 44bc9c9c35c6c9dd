"""Reviewers learn what needs them: an email when they are assigned (automatically or by hand) or unassigned, and
reminders before and after the due date, each sent once however often the daily command runs. Links use the site's
base URL."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from grants.review.models import Assignment, PanelMember, ReviewReminder
from grants.review.panels import panel_member_remove
from grants.review.reminders import review_reminders_send
from grants.review.services import assignment_create, assignment_remove, assignments_auto, conflict_declare, review_save
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db

K = PanelMember.Kind


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://grants.millbrook.example"
    return settings.SITE_URL


def _to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_automatic_assignment_emails_each_reviewer_once_with_their_applications(
    review_round, staff_user, site_url, django_capture_on_commit_callbacks
):
    members = [PanelMemberFactory(panel=review_round.panel, kind=kind) for kind in (K.COMMUNITY, K.STAFF, K.EXTERNAL)]
    applications = [ApplicationFactory(round=review_round, status="in_review") for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        assignments_auto(round=review_round, by=staff_user)

    for member in members:
        messages = _to(member.user)
        assert len(messages) == 1
        assert "2 applications to review" in messages[0].subject
        for application in applications:
            assert application.reference in messages[0].body
        assert f"{site_url}/reviews/" in messages[0].body
        assert "127.0.0.1" not in messages[0].body and "localhost" not in messages[0].body


def test_assigning_and_unassigning_by_hand_email_the_reviewer(
    review_round, staff_user, site_url, django_capture_on_commit_callbacks
):
    member = PanelMemberFactory(panel=review_round.panel)
    application = ApplicationFactory(round=review_round, status="in_review")

    with django_capture_on_commit_callbacks(execute=True):
        assignment = assignment_create(application=application, member=member, by=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_remove(assignment=assignment, by=staff_user)

    assigned, unassigned = _to(member.user)
    assert application.reference in assigned.subject or application.reference in assigned.body
    assert f"{site_url}/reviews/{assignment.pk}/conflict/" in assigned.body
    assert unassigned.subject == f"{application.reference} is no longer assigned to you"


def test_a_rolled_back_assignment_sends_nothing(review_round, staff_user, django_capture_on_commit_callbacks):
    from grants.review.services import ReviewError

    member = PanelMemberFactory(panel=review_round.panel)
    application = ApplicationFactory(round=review_round, status="in_review")
    Assignment.objects.create(application=application, member=member)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReviewError):
        assignment_create(application=application, member=member, by=staff_user)

    assert mail.outbox == []


@pytest.fixture
def due(review_round):
    """An assignment due in 30 hours, with the reviewer having done nothing yet."""
    member = PanelMemberFactory(panel=review_round.panel)
    application = ApplicationFactory(round=review_round, status="in_review")
    return Assignment.objects.create(
        application=application, member=member, due_at=timezone.now() + timedelta(hours=30)
    )


def test_reminders_go_out_once_before_and_once_after_the_due_date(due, site_url, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = review_reminders_send(now=now)
        again = review_reminders_send(now=now + timedelta(hours=6))
        overdue = review_reminders_send(now=now + timedelta(hours=31))
        overdue_again = review_reminders_send(now=now + timedelta(days=2))

    assert (first, again, overdue, overdue_again) == (1, 0, 1, 0)
    soon, late = _to(due.member.user)
    assert soon.subject.startswith(f"Your review of {due.application.reference} is due")
    assert late.subject == f"Your review of {due.application.reference} is overdue"
    assert f"{site_url}/reviews/{due.pk}/conflict/" in late.body
    assert set(ReviewReminder.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}


def test_a_moved_deadline_earns_fresh_reminders(due, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_send(now=now + timedelta(hours=31))
        Assignment.objects.filter(pk=due.pk).update(due_at=now + timedelta(days=5))
        review_reminders_send(now=now + timedelta(days=6))

    assert [m.subject.endswith("is overdue") for m in _to(due.member.user)] == [True, True]


def test_no_reminder_for_work_that_is_done_recused_or_no_longer_theirs(
    review_round, staff_user, django_capture_on_commit_callbacks
):
    past = timezone.now() - timedelta(days=1)
    done, recused, removed, withdrawn = (
        Assignment.objects.create(
            application=ApplicationFactory(round=review_round, status="in_review"),
            member=PanelMemberFactory(panel=review_round.panel),
            due_at=past,
        )
        for _ in range(4)
    )
    conflict_declare(assignment=done, has_conflict=False, by=done.member.user)
    review_save(
        assignment=done,
        by=done.member.user,
        submit=True,
        recommendation="fund",
        scores={c.pk: {"score": 3} for c in review_round.rubric.criteria.all()},
    )
    conflict_declare(assignment=recused, has_conflict=True, reason="My cousin", by=recused.member.user)
    panel_member_remove(member=removed.member, by=staff_user)
    withdrawn.application.status = "withdrawn"
    withdrawn.application.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = review_reminders_send()

    reminded = {m.to[0] for m in mail.outbox if "overdue" in m.subject}
    assert not reminded & {a.member.user.email for a in (done, recused, removed, withdrawn)}
    # The replacements that the recusal and the removal brought in have no due date: nothing to remind.
    assert sent == len(reminded)


def test_the_daily_command_is_safe_to_run_twice(due):
    Assignment.objects.filter(pk=due.pk).update(due_at=timezone.now() - timedelta(hours=1))
    first, second = StringIO(), StringIO()

    call_command("send_review_reminders", stdout=first)
    call_command("send_review_reminders", stdout=second)

    assert first.getvalue().startswith("1 review reminder(s) sent")
    assert second.getvalue().startswith("0 review reminder(s) sent")
    assert ReviewReminder.objects.count() == 1
