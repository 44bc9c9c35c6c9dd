"""Retention: what the portal stops keeping about applications nobody will fund.

`retention_apply` (run daily by `manage.py apply_retention`, portal/schedule.py) acts on applications whose last change
is older than settings.RETENTION_YEARS (default 6):

- drafts never submitted are deleted, with their files;
- declined and withdrawn applications lose their attachments (files and rows) and their answers, in the application
  and in every submitted copy: answers can hold special-category data (applicants describe lived experience of drug
  use), so all of them go. The reference, title, amount, status and dates stay for the fund's statistics and audit.

Each application acted on gets an audit entry. Running it twice changes nothing the second time.
"""

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from portal.audit import audit

from .models import Application, ApplicationSubmission

ENDED = (Application.Status.DECLINED, Application.Status.WITHDRAWN)


@dataclass
class RetentionResult:
    drafts_deleted: int = 0
    applications_cleared: int = 0
    attachments_deleted: int = 0


def retention_cutoff(now=None, years=None):
    years = settings.RETENTION_YEARS if years is None else years
    return (now or timezone.now()) - relativedelta(years=years)


def _delete_files(attachments) -> int:
    count = 0
    for attachment in attachments:
        # The file goes after the row is gone for good (a rolled-back delete keeps its file).
        name, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        if name:
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        count += 1
    return count


def retention_apply(*, now=None, years=None) -> RetentionResult:
    cutoff = retention_cutoff(now, years)
    result = RetentionResult()
    drafts = Application.objects.filter(status=Application.Status.DRAFT, updated_at__lt=cutoff)
    for application in drafts.iterator():
        with transaction.atomic():
            result.attachments_deleted += _delete_files(application.attachments.all())
            reference = str(application)
            try:
                application.delete()
            except ProtectedError:  # something official points at it: keep it, only its files are gone
                continue
            audit(application.organisation, "grants.application.retention_delete", data={"application": reference})
            result.drafts_deleted += 1

    ended = Application.objects.filter(status__in=ENDED).filter(
        Q(decided_at__lt=cutoff) | Q(decided_at__isnull=True, updated_at__lt=cutoff)
    )
    to_clear = ended.filter(~Q(answers={}) | Q(attachments__isnull=False) | ~Q(submissions__answers={})).distinct()
    for application in to_clear.iterator():
        with transaction.atomic():
            files = _delete_files(application.attachments.all())
            result.attachments_deleted += files
            Application.objects.filter(pk=application.pk).update(answers={})  # keeps updated_at: the real last change
            ApplicationSubmission.objects.filter(application=application).update(answers={}, attachments=[])
            audit(application, "grants.application.retention_clear", data={"attachments_deleted": files})
            result.applications_cleared += 1
    return result
