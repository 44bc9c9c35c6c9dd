"""Rubric versions.

A round's rubric is edited in place until its first review is submitted; that submission freezes it. Editing a frozen
rubric makes the next version (`rubric_version_create`): the frozen rows are never touched, so each submitted score
keeps pointing at the criterion it was given against. Unsubmitted reviews (drafts, reopened reviews) are always scored
against the current version; their draft answers follow each criterion by its key.

Results across versions: a review's weighted score is a 0–100 figure computed against its own version, so means,
z-scores and the ranking combine reviews from different versions as they are. `versions_used` lets the staff screens
say when a round mixes versions.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit

from .errors import ReviewError
from .models import Criterion, Review, Rubric
from .permissions import require_staff

CRITERION_FIELDS = ("title", "guidance", "weight", "scale_min", "scale_max", "labels", "allow_na", "order")


def current_rubric(round) -> Rubric | None:
    """The round's current rubric version with its criteria, or None."""
    return Rubric.objects.filter(round=round, is_current=True).prefetch_related("criteria").first()


def versions_used(round) -> list[int]:
    """The rubric version numbers the round's submitted reviews were given against, lowest first."""
    return list(
        Review.objects.filter(application__round=round, status=Review.Status.SUBMITTED, rubric__isnull=False)
        .values_list("rubric__version", flat=True)
        .distinct()
        .order_by("rubric__version")
    )


def rubric_freeze(*, rubric, at, by) -> bool:
    """Freeze the version on its first submitted review (called inside the submitting transaction). Idempotent."""
    frozen = Rubric.objects.filter(pk=rubric.pk, frozen_at__isnull=True).update(frozen_at=at)
    if frozen:
        rubric.frozen_at = at
        audit(rubric, "review.rubric.freeze", user=by, data={"round": rubric.round_id, "version": rubric.version})
    return bool(frozen)


def rubric_version_create(*, rubric, by, title, introduction="", criteria) -> Rubric:
    """Make the next version of a round's rubric from `criteria` (dicts of CRITERION_FIELDS, plus the `key` of the
    criterion each one continues, if any). The version it replaces stays as it is, no longer current."""
    require_staff(by)
    criteria = list(criteria)
    if not criteria:
        raise ValidationError({"criteria": _("A rubric needs at least one criterion.")})
    with transaction.atomic():
        locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
        if not locked.is_current:
            raise ReviewError(_("A newer version of this rubric exists: edit that one."))
        rows = []
        for data in criteria:
            row = Criterion(key=data.get("key") or uuid.uuid4(), **{f: data[f] for f in CRITERION_FIELDS if f in data})
            row.full_clean(exclude=["rubric"])
            rows.append(row)
        Rubric.objects.filter(pk=locked.pk).update(is_current=False)
        new = Rubric.objects.create(
            round_id=locked.round_id,
            version=locked.version + 1,
            previous=locked,
            title=title,
            introduction=introduction or "",
            created_by=by,
            is_current=True,
        )
        for row in rows:
            row.rubric = new
        Criterion.objects.bulk_create(rows)
        audit(
            new,
            "review.rubric.version",
            user=by,
            data={"round": new.round_id, "version": new.version, "previous_version": locked.version},
        )
    return new
