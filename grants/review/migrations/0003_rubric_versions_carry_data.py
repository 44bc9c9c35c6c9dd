"""Carry existing review data into rubric versions.

- every criterion gets its own stable key;
- every existing rubric is version 1 of its round, frozen at its round's first review submission (if any);
- every submitted review points at that version (its scores already point at its criterion rows);
- a draft's scores move into the review's `draft_scores` (keyed by criterion key); a reopened draft keeps its submitted
  rows as well, so nothing that was given is lost. Reversible: drafts go back to rows.
"""

import uuid

from django.db import migrations
from django.db.models import Min


def _entry(row):
    return {"score": row.score, "na": row.not_applicable, "comment": row.comment}


def forwards(apps, schema_editor):
    Criterion = apps.get_model("review", "Criterion")
    Rubric = apps.get_model("review", "Rubric")
    Review = apps.get_model("review", "Review")
    ReviewScore = apps.get_model("review", "ReviewScore")

    for criterion in Criterion.objects.filter(key__isnull=True).only("pk"):
        Criterion.objects.filter(pk=criterion.pk).update(key=uuid.uuid4())

    for rubric in Rubric.objects.all():
        first = Review.objects.filter(application__round_id=rubric.round_id, status="submitted").aggregate(
            first=Min("submitted_at")
        )["first"]
        Rubric.objects.filter(pk=rubric.pk).update(version=1, is_current=True, frozen_at=first)
        Review.objects.filter(application__round_id=rubric.round_id).filter(status="submitted").update(
            rubric_id=rubric.pk
        )
        Review.objects.filter(application__round_id=rubric.round_id, status="draft", reopened_at__isnull=False).update(
            rubric_id=rubric.pk
        )

    keys = dict(Criterion.objects.values_list("pk", "key"))
    for review in Review.objects.filter(status="draft"):
        rows = list(ReviewScore.objects.filter(review_id=review.pk))
        if not rows:
            continue
        review.draft_scores = {str(keys[row.criterion_id]): _entry(row) for row in rows}
        review.save(update_fields=["draft_scores"])
        if review.reopened_at is None:
            ReviewScore.objects.filter(review_id=review.pk).delete()


def backwards(apps, schema_editor):
    Criterion = apps.get_model("review", "Criterion")
    Review = apps.get_model("review", "Review")
    ReviewScore = apps.get_model("review", "ReviewScore")

    for review in Review.objects.filter(status="draft").exclude(draft_scores={}):
        criteria = {
            str(c.key): c
            for c in Criterion.objects.filter(rubric__round_id=review.application.round_id, rubric__is_current=True)
        }
        ReviewScore.objects.filter(review_id=review.pk).delete()
        ReviewScore.objects.bulk_create(
            ReviewScore(
                review_id=review.pk,
                criterion=criteria[key],
                score=None if entry.get("na") else entry.get("score"),
                not_applicable=bool(entry.get("na")),
                comment=entry.get("comment") or "",
            )
            for key, entry in review.draft_scores.items()
            if key in criteria
        )


class Migration(migrations.Migration):
    dependencies = [("review", "0002_rubric_versions_removal_reminders")]

    operations = [migrations.RunPython(forwards, backwards)]
