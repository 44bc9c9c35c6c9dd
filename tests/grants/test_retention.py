"""Retention (grants.retention, `manage.py apply_retention`, a daily job): old drafts go; old declined or withdrawn
applications lose their answers and files; everything younger, and every other status, is kept."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from grants.models import Application, ApplicationSubmission, Attachment
from portal.schedule import JOBS
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db

SECRET = "I used heroin for ten years before the drop-in"


def aged(status, years, **fields):
    application = ApplicationFactory(status=status, answers={"lived_experience": SECRET}, **fields)
    when = timezone.now() - timedelta(days=365 * years + 10)
    Application.objects.filter(pk=application.pk).update(
        updated_at=when, decided_at=when if status != "draft" else None
    )
    attachment = Attachment(
        application=application,
        question_key="budget",
        original_name="budget.pdf",
        content_type="application/pdf",
        size=4,
    )
    attachment.file.save("budget.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    ApplicationSubmission.objects.create(application=application, number=1, answers={"lived_experience": SECRET})
    return application, attachment.file.name, attachment.file.storage


def test_apply_retention_removes_old_drafts_and_old_declined_or_withdrawn_answers_and_files(
    settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_YEARS = 6
    old_draft, draft_file, storage = aged("draft", 7)
    old_declined, declined_file, _ = aged("declined", 7)
    old_withdrawn, withdrawn_file, _ = aged("withdrawn", 7)
    young_declined, young_file, _ = aged("declined", 5)
    old_approved, approved_file, _ = aged("approved", 7)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention")

    assert not Application.objects.filter(pk=old_draft.pk).exists() and not storage.exists(draft_file)
    for application, name in ((old_declined, declined_file), (old_withdrawn, withdrawn_file)):
        application.refresh_from_db()
        assert application.answers == {} and application.title  # the facts for statistics stay
        assert not application.attachments.exists() and not storage.exists(name)
        assert all(s.answers == {} for s in application.submissions.all())
    for application, name in ((young_declined, young_file), (old_approved, approved_file)):
        application.refresh_from_db()
        assert application.answers == {"lived_experience": SECRET} and storage.exists(name)
        assert application.attachments.count() == 1
    assert (
        not ApplicationSubmission.objects.filter(answers__lived_experience=SECRET)
        .exclude(application__in=[young_declined, old_approved])
        .exists()
    )

    call_command("apply_retention")  # a second run has nothing left to do
    assert Application.objects.count() == 4


def test_apply_retention_is_a_daily_job():
    job = {job.name: job for job in JOBS}["apply_retention"]
    assert set(job.cron) == {"hour", "minute"}
