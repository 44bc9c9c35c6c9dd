"""Writes of the review process: assignments, conflicts, reviews. Panels and members are in panels.py, rubric versions
in rubrics.py, decisions in decisions.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.emails import send_email_on_commit

from . import notifications, scoring
from .assignment import assignments_auto_assign
from .conflicts import member_conflict
from .errors import ReviewError
from .models import Assignment, ConflictDeclaration, Criterion, Review, ReviewScore, Rubric
from .permissions import require_staff
from .results import scores_ensure, scores_refresh
from .rubrics import rubric_freeze

# --- assignments ------------------------------------------------------------------------------------------------------


def member_is_conflicted(*, member, organisation_id) -> bool:
    return member_conflict(member=member, organisation_id=organisation_id) is not None


def assignment_create(*, application, member, by, due_at=None) -> Assignment:
    """Assign one member by hand. Refuses a member of another round's panel, a removed member, and one conflicted
    with the organisation (declared, a member of it, or on its email domain): the reason says which."""
    require_staff(by)
    if member.panel.round_id != application.round_id:
        raise ReviewError(_("This member is not on this round's panel."))
    if not member.is_active:
        raise ReviewError(_("This member has been removed from the panel."))
    conflict = member_conflict(member=member, organisation_id=application.organisation_id)
    if conflict is not None:
        raise ReviewError(
            _("%(name)s cannot review this application: conflict of interest (%(reason)s).")
            % {"name": member.user.display_name, "reason": conflict.reason}
        )
    with transaction.atomic():
        if Assignment.objects.filter(application=application, member=member).exists():
            raise ReviewError(_("This member is already assigned to this application."))
        assignment = Assignment.objects.create(
            application=application, member=member, assigned_by=by, due_at=due_at or application.round.review_deadline
        )
        scores_ensure(round=application.round, application_ids=[application.pk])
        audit(application, "review.assignment.create", user=by, data={"member": member.pk, "assignment": assignment.pk})
        notifications.notify_assigned([assignment])
    return assignment


def assignment_remove(*, assignment, by) -> None:
    """Unassign a member whose review has not been submitted (a draft is discarded). The reviewer is emailed; the
    slot stays empty until staff assign someone (by hand or automatically)."""
    require_staff(by)
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update()
            .select_related("application__round", "member__user")
            .get(pk=assignment.pk)
        )
        if Review.objects.filter(assignment=locked, status=Review.Status.SUBMITTED).exists():
            raise ReviewError(_("This review has been submitted; reopen it first if it must change."))
        if locked.status == Assignment.Status.RECUSED:
            raise ReviewError(_("A recusal stays on record in the conflict register."))
        audit(locked.application, "review.assignment.remove", user=by, data={"member": locked.member_id})
        notifications.notify_unassigned(locked)
        locked.delete()


def assignments_auto(*, round, by, applications=None) -> list[Assignment]:
    require_staff(by)
    return assignments_auto_assign(round=round, by=by, applications=applications)


def review_deadline_set(*, round, deadline, by) -> int:
    """Set the round's review deadline and move every open assignment's due date to it."""
    require_staff(by)
    with transaction.atomic():
        round.review_deadline = deadline
        round.save(update_fields=["review_deadline"])
        count = Assignment.objects.filter(application__round=round, status=Assignment.Status.ASSIGNED).update(
            due_at=deadline
        )
        audit(round, "review.round.deadline", user=by, data={"deadline": deadline.isoformat() if deadline else None})
    return count


# --- conflicts --------------------------------------------------------------------------------------------------------


def _recuse(locked, *, by):
    """Recuse the reviewer from a locked assignment: discard their draft and refill the slot at once."""
    locked.status = Assignment.Status.RECUSED
    locked.save(update_fields=["status"])
    Review.objects.filter(assignment=locked).delete()
    assignments_auto_assign(round=locked.application.round, by=by, applications=[locked.application])


def conflict_declare(*, assignment, has_conflict, by, reason="") -> ConflictDeclaration:
    """The reviewer says, before seeing the application, whether they have a conflict of interest.

    A conflict recuses them (the slot goes to someone else at once) and is kept in the conflict register. Someone our
    records already show as conflicted (a member of the organisation, or on its email domain) is recused whatever they
    answer, with that reason."""
    if assignment.member.user_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can declare."))
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise ValidationError({"reason": _("Please say briefly what the conflict is.")})
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update()
            .select_related("application__round", "member__user")
            .get(pk=assignment.pk)
        )
        if ConflictDeclaration.objects.filter(assignment=locked).exists():
            raise ReviewError(_("You have already made your declaration for this application."))
        automatic = member_conflict(member=locked.member, organisation_id=locked.application.organisation_id)
        if not has_conflict and automatic is not None and automatic.is_automatic:
            has_conflict, reason = True, str(_("Automatic: %(reason)s") % {"reason": automatic.reason})
        declaration = ConflictDeclaration.objects.create(
            assignment=locked,
            member=locked.member,
            organisation_id=locked.application.organisation_id,
            has_conflict=has_conflict,
            reason=reason,
        )
        audit(
            locked.application,
            "review.conflict.declare",
            user=by,
            data={"assignment": locked.pk, "has_conflict": has_conflict, "automatic": automatic is not None},
        )
        if has_conflict:
            _recuse(locked, by=by)
    assignment.status = locked.status
    return declaration


def conflict_declare_after_reading(*, assignment, by, reason) -> ConflictDeclaration:
    """A reviewer who declared no conflict recognises the applicant while reading (under blind review they could not
    before) and recuses themselves, as long as their review is not submitted."""
    if assignment.member.user_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can declare."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please say briefly what the conflict is.")})
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update()
            .select_related("application__round", "member__user")
            .get(pk=assignment.pk)
        )
        declaration = ConflictDeclaration.objects.filter(assignment=locked, has_conflict=False).first()
        if declaration is None or locked.status != Assignment.Status.ASSIGNED:
            raise ReviewError(_("There is no open review to recuse yourself from."))
        if Review.objects.filter(assignment=locked, status=Review.Status.SUBMITTED).exists():
            raise ReviewError(_("Your review is submitted. Tell the program staff about the conflict."))
        declaration.has_conflict = True
        declaration.reason = reason
        declaration.declared_at = timezone.now()
        declaration.save(update_fields=["has_conflict", "reason", "declared_at"])
        audit(
            locked.application,
            "review.conflict.declare",
            user=by,
            data={"assignment": locked.pk, "has_conflict": True, "after_reading": True},
        )
        _recuse(locked, by=by)
    assignment.status = locked.status
    return declaration


# --- reviews ----------------------------------------------------------------------------------------------------------


def review_get_or_start(*, assignment) -> Review:
    review, _created = Review.objects.get_or_create(
        assignment=assignment, defaults={"application_id": assignment.application_id, "member_id": assignment.member_id}
    )
    return review


def _entries_by_key(round_id, scores) -> dict:
    """Scores arrive keyed by criterion id (of whichever version the reviewer's page showed); drafts keep them by
    criterion key, which follows a criterion from version to version."""
    ids = [pk for pk in scores if isinstance(pk, int)]
    keys = dict(Criterion.objects.filter(rubric__round_id=round_id, pk__in=ids).values_list("pk", "key"))
    return {str(keys[pk]): entry for pk, entry in scores.items() if pk in keys}


def review_save(
    *,
    assignment,
    by,
    scores,
    recommendation="",
    comment_to_staff="",
    feedback_to_applicant="",
    submit=False,
    rubric_id=None,
) -> Review:
    """Save the reviewer's draft; with `submit`, check it is complete, compute the weighted score and lock it.

    An unsubmitted review is always scored against the round's current rubric version; the draft is kept in
    `draft_scores` by criterion key. Submitting writes one ReviewScore per criterion of that version, binds the review
    to it and freezes the version if it is the first submission. `rubric_id` is the version the reviewer's page showed:
    if a newer one was made meanwhile, the work is kept as a draft on the new version and the reviewer asked to check.

    `scores`: {criterion_id: {"score": int | None, "na": bool, "comment": str}}."""
    if assignment.member.user_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can score."))
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update().select_related("member", "application__round").get(pk=assignment.pk)
        )
        if not locked.member.is_active:
            raise ReviewError(_("You are no longer on this panel."))
        if locked.status == Assignment.Status.RECUSED:
            raise ReviewError(_("You recused yourself from this application."))
        if not ConflictDeclaration.objects.filter(assignment=locked, has_conflict=False).exists():
            raise ReviewError(_("Declare whether you have a conflict of interest first."))
        current = Rubric.objects.filter(round_id=locked.application.round_id, is_current=True)
        rubric = (current.select_for_update() if submit else current).first()
        if rubric is None:
            raise ReviewError(_("This round has no rubric yet."))
        review = review_get_or_start(assignment=locked)
        if review.is_submitted:
            raise ReviewError(_("This review has been submitted and is locked. Ask the program staff to reopen it."))
        criteria = list(rubric.criteria.all())
        given = _entries_by_key(locked.application.round_id, scores)
        errors = {}
        entries = {}
        for criterion in criteria:
            entry = given.get(str(criterion.key), {})
            score, na, comment = entry.get("score"), bool(entry.get("na")), (entry.get("comment") or "").strip()
            if na and not criterion.allow_na:
                errors[f"score_{criterion.pk}"] = _("'Not applicable' is not allowed for this criterion.")
                na = False
            if na:
                score = None
            if score is not None and not (criterion.scale_min <= score <= criterion.scale_max):
                errors[f"score_{criterion.pk}"] = _("Choose a score from %(min)s to %(max)s.") % {
                    "min": criterion.scale_min,
                    "max": criterion.scale_max,
                }
                score = None
            if submit and score is None and not na:
                errors.setdefault(f"score_{criterion.pk}", _("Score this criterion before submitting."))
            entries[str(criterion.key)] = {"score": score, "na": na, "comment": comment}
        if recommendation and recommendation not in Review.Recommendation.values:
            errors["recommendation"] = _("Choose a recommendation.")
            recommendation = ""
        if submit and not recommendation:
            errors["recommendation"] = _("Choose a recommendation before submitting.")
        if rubric_id is not None and rubric_id != rubric.pk:
            errors["__all__"] = _(
                "The rubric was updated while you were scoring (now version %(version)s). Your work is kept as a "
                "draft against the new version: check your scores, then submit."
            ) % {"version": rubric.version}
            submit = False
        if submit and errors:
            raise ValidationError(errors)
        review.recommendation = recommendation
        review.comment_to_staff = comment_to_staff.strip()
        review.feedback_to_applicant = feedback_to_applicant.strip()
        fields = ["recommendation", "comment_to_staff", "feedback_to_applicant", "draft_scores", "updated_at"]
        if submit:
            now = timezone.now()
            review.weighted_score = scoring.review_weighted_score(
                (c, None if entries[str(c.key)]["na"] else entries[str(c.key)]["score"]) for c in criteria
            )
            # A reopened review replaces its own earlier scores (the reopening's audit entry keeps them).
            ReviewScore.objects.filter(review=review).delete()
            ReviewScore.objects.bulk_create(
                ReviewScore(
                    review=review,
                    criterion=c,
                    score=entries[str(c.key)]["score"],
                    not_applicable=entries[str(c.key)]["na"],
                    comment=entries[str(c.key)]["comment"],
                )
                for c in criteria
            )
            review.rubric = rubric
            review.draft_scores = {}
            review.status = Review.Status.SUBMITTED
            review.submitted_at = now
            fields += ["rubric", "weighted_score", "status", "submitted_at"]
            locked.status = Assignment.Status.COMPLETED
            locked.save(update_fields=["status"])
            rubric_freeze(rubric=rubric, at=now, by=by)
        else:
            review.draft_scores = entries
        review.save(update_fields=fields)
        if submit:
            scores_refresh(
                round=locked.application.round, application_ids=[locked.application_id], member_ids=[locked.member_id]
            )
            audit(
                review.application,
                "review.review.submit",
                user=by,
                data={
                    "review": review.pk,
                    "rubric_version": rubric.version,
                    "weighted_score": str(review.weighted_score),
                    "recommendation": recommendation,
                },
            )
    if not submit and errors:
        # A draft keeps what was valid and reports the rest.
        raise ValidationError(errors)
    return review


def review_reopen(*, review, by, reason="") -> Review:
    """Staff unlock a submitted review so the reviewer can change it; it leaves the results until resubmitted.
    Its scores stay (and stay bound to their version) until the reviewer submits again, against the current version;
    the audit entry records them."""
    require_staff(by)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status != Review.Status.SUBMITTED:
            raise ReviewError(_("Only a submitted review can be reopened."))
        previous = {
            "rubric_version": Rubric.objects.filter(pk=locked.rubric_id).values_list("version", flat=True).first(),
            "weighted_score": str(locked.weighted_score),
            "scores": {
                str(row["criterion_id"]): None if row["not_applicable"] else row["score"]
                for row in locked.scores.values("criterion_id", "score", "not_applicable")
            },
        }
        locked.status = Review.Status.DRAFT
        locked.weighted_score = None
        locked.submitted_at = None
        locked.reopened_at = timezone.now()
        locked.reopened_by = by
        locked.save(
            update_fields=["status", "weighted_score", "submitted_at", "reopened_at", "reopened_by", "updated_at"]
        )
        Assignment.objects.filter(pk=locked.assignment_id).update(status=Assignment.Status.ASSIGNED)
        scores_refresh(
            round=locked.application.round, application_ids=[locked.application_id], member_ids=[locked.member_id]
        )
        audit(
            locked.application,
            "review.review.reopen",
            user=by,
            data={"review": locked.pk, "reason": reason, "previous": previous},
        )
        user = locked.member.user
        send_email_on_commit(
            template="review/review_reopened",
            to=[user.email],
            context={
                "name": user.display_name,
                "application": locked.application,
                "reason": reason,
                "link": notifications.absolute_url(reverse("review:score", args=[locked.assignment_id])),
            },
        )
    return locked


def review_feedback_approve(*, review, by, approved=True) -> Review:
    """Staff decide whether a reviewer's feedback may be passed (anonymously) to the applicant."""
    require_staff(by)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if approved and not locked.feedback_to_applicant:
            raise ReviewError(_("There is no feedback to approve."))
        locked.feedback_approved_by_staff = approved
        locked.feedback_approved_by = by if approved else None
        locked.save(update_fields=["feedback_approved_by_staff", "feedback_approved_by", "updated_at"])
        audit(locked.application, "review.review.feedback", user=by, data={"review": locked.pk, "approved": approved})
    return locked
