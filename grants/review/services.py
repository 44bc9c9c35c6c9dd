"""Every write of the review process: panels and members, assignments, conflicts, reviews. Decisions are in decisions.py."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import roles
from portal.audit import audit
from portal.emails import send_email_on_commit

from . import scoring
from .assignment import assignments_auto_assign
from .models import Assignment, ConflictDeclaration, Panel, PanelMember, Review, ReviewScore
from .results import scores_ensure, scores_refresh


class ReviewError(Exception):
    """A review action that is not possible now. The message is shown to the user."""


def _require_staff(user):
    if not roles.is_program_staff(user):
        raise PermissionDenied(_("Only program staff can do this."))


# --- panels -----------------------------------------------------------------------------------------------------------


def panel_create(*, round, by, name="", blind_review=False, reviewers_see_others_after_submit=False) -> Panel:
    _require_staff(by)
    panel, created = Panel.objects.get_or_create(
        round=round,
        defaults={
            "name": name or _("%(round)s panel") % {"round": round.title},
            "blind_review": blind_review,
            "reviewers_see_others_after_submit": reviewers_see_others_after_submit,
        },
    )
    if created:
        audit(panel, "review.panel.create", user=by, data={"round": round.pk})
    return panel


PANEL_SETTINGS = ("name", "blind_review", "reviewers_see_others_after_submit", "disagreement_threshold")


def panel_update(*, panel, by, **changes) -> Panel:
    """Change a panel's settings (name, blind review, sharing after submission, disagreement threshold)."""
    _require_staff(by)
    unknown = set(changes) - set(PANEL_SETTINGS)
    if unknown:
        raise ValueError(f"Not panel settings: {sorted(unknown)}")
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        before = {field: getattr(locked, field) for field in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save(update_fields=list(changes))
        audit(locked, "review.panel.update", user=by, data={k: str(v) for k, v in changes.items() if before[k] != v})
    return locked


def _invitation_link(user):
    """A set-password link through allauth's password-reset flow (valid until the password changes)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return settings.SITE_URL.rstrip("/") + path


def panel_member_invite(*, panel, email, kind, by, first_name="", last_name="", is_chair=False) -> PanelMember:
    """Add a person to a panel by email. Someone new gets an account without a password, a verified address,
    the Reviewer role and an invitation with a link to choose a password; they then set up two-factor authentication."""
    from allauth.account.models import EmailAddress

    _require_staff(by)
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if kind not in PanelMember.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of member.")})
    User = get_user_model()
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        user = User.objects.filter(email__iexact=email).first()
        is_new = user is None
        if is_new:
            user = User(email=email, first_name=first_name, last_name=last_name)
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if PanelMember.objects.filter(panel=panel, user=user).exists():
            raise ValidationError({"email": _("This person is already on the panel.")})
        if is_chair:
            PanelMember.objects.filter(panel=panel, is_chair=True).update(is_chair=False)
        user.groups.add(Group.objects.get(name=roles.REVIEWER))
        member = PanelMember.objects.create(panel=panel, user=user, kind=kind, is_chair=is_chair, invited_by=by)
        audit(
            panel,
            "review.panel.member_add",
            user=by,
            data={"member": member.pk, "user": user.pk, "kind": kind, "new_user": is_new},
        )
        context = {
            "panel": panel,
            "round": panel.round,
            "member": member,
            "name": user.display_name,
            "is_new": is_new,
            "link": _invitation_link(user) if is_new else settings.SITE_URL.rstrip("/") + reverse("review:my_reviews"),
        }
        send_email_on_commit(template="review/panel_invitation", to=[email], context=context)
    return member


def panel_member_set_chair(*, member, by) -> PanelMember:
    _require_staff(by)
    with transaction.atomic():
        list(PanelMember.objects.select_for_update().filter(panel_id=member.panel_id).values_list("pk", flat=True))
        PanelMember.objects.filter(panel_id=member.panel_id, is_chair=True).exclude(pk=member.pk).update(is_chair=False)
        PanelMember.objects.filter(pk=member.pk).update(is_chair=True)
        audit(member.panel, "review.panel.chair", user=by, data={"member": member.pk})
    member.is_chair = True
    return member


# --- assignments ------------------------------------------------------------------------------------------------------


def member_is_conflicted(*, member, organisation_id) -> bool:
    return ConflictDeclaration.objects.filter(
        has_conflict=True, member__user_id=member.user_id, organisation_id=organisation_id
    ).exists()


def assignment_create(*, application, member, by, due_at=None) -> Assignment:
    """Assign one member by hand. Refuses a member of another round's panel or one conflicted with the organisation."""
    _require_staff(by)
    if member.panel.round_id != application.round_id:
        raise ReviewError(_("This member is not on this round's panel."))
    if member_is_conflicted(member=member, organisation_id=application.organisation_id):
        raise ReviewError(_("This member has declared a conflict of interest with this organisation."))
    with transaction.atomic():
        if Assignment.objects.filter(application=application, member=member).exists():
            raise ReviewError(_("This member is already assigned to this application."))
        assignment = Assignment.objects.create(
            application=application, member=member, assigned_by=by, due_at=due_at or application.round.review_deadline
        )
        scores_ensure(round=application.round, application_ids=[application.pk])
        audit(application, "review.assignment.create", user=by, data={"member": member.pk, "assignment": assignment.pk})
    return assignment


def assignment_remove(*, assignment, by) -> None:
    """Unassign a member whose review has not been submitted (a draft is discarded)."""
    _require_staff(by)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if Review.objects.filter(assignment=locked, status=Review.Status.SUBMITTED).exists():
            raise ReviewError(_("This review has been submitted; reopen it first if it must change."))
        if locked.status == Assignment.Status.RECUSED:
            raise ReviewError(_("A recusal stays on record in the conflict register."))
        audit(locked.application, "review.assignment.remove", user=by, data={"member": locked.member_id})
        locked.delete()


def assignments_auto(*, round, by, applications=None) -> list[Assignment]:
    _require_staff(by)
    return assignments_auto_assign(round=round, by=by, applications=applications)


def review_deadline_set(*, round, deadline, by) -> int:
    """Set the round's review deadline and move every open assignment's due date to it."""
    _require_staff(by)
    with transaction.atomic():
        round.review_deadline = deadline
        round.save(update_fields=["review_deadline"])
        count = Assignment.objects.filter(application__round=round, status=Assignment.Status.ASSIGNED).update(
            due_at=deadline
        )
        audit(round, "review.round.deadline", user=by, data={"deadline": deadline.isoformat() if deadline else None})
    return count


# --- conflicts --------------------------------------------------------------------------------------------------------


def conflict_declare(*, assignment, has_conflict, by, reason="") -> ConflictDeclaration:
    """The reviewer says, before seeing the application, whether they have a conflict of interest.

    A conflict recuses them (the slot goes to someone else at once) and is kept in the conflict register."""
    if assignment.member.user_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can declare."))
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise ValidationError({"reason": _("Please say briefly what the conflict is.")})
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("application", "member").get(pk=assignment.pk)
        if ConflictDeclaration.objects.filter(assignment=locked).exists():
            raise ReviewError(_("You have already made your declaration for this application."))
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
            data={"assignment": locked.pk, "has_conflict": has_conflict},
        )
        if has_conflict:
            locked.status = Assignment.Status.RECUSED
            locked.save(update_fields=["status"])
            Review.objects.filter(assignment=locked).delete()
            assignments_auto_assign(round=locked.application.round, by=by, applications=[locked.application])
    assignment.status = locked.status
    return declaration


# --- reviews ----------------------------------------------------------------------------------------------------------


def _criteria(assignment):
    rubric = getattr(assignment.application.round, "rubric", None)
    if rubric is None:
        raise ReviewError(_("This round has no rubric yet."))
    return list(rubric.criteria.all())


def review_get_or_start(*, assignment) -> Review:
    review, _created = Review.objects.get_or_create(
        assignment=assignment, defaults={"application_id": assignment.application_id, "member_id": assignment.member_id}
    )
    return review


def review_save(
    *, assignment, by, scores, recommendation="", comment_to_staff="", feedback_to_applicant="", submit=False
) -> Review:
    """Save the reviewer's draft; with `submit`, check it is complete, compute the weighted score and lock it.

    `scores`: {criterion_id: {"score": int | None, "na": bool, "comment": str}}."""
    if assignment.member.user_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can score."))
    criteria = _criteria(assignment)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status == Assignment.Status.RECUSED:
            raise ReviewError(_("You recused yourself from this application."))
        if not ConflictDeclaration.objects.filter(assignment=locked, has_conflict=False).exists():
            raise ReviewError(_("Declare whether you have a conflict of interest first."))
        review = review_get_or_start(assignment=locked)
        if review.is_submitted:
            raise ReviewError(_("This review has been submitted and is locked. Ask the program staff to reopen it."))
        errors = {}
        rows = []
        for criterion in criteria:
            entry = scores.get(criterion.pk, {})
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
            rows.append(
                ReviewScore(review=review, criterion=criterion, score=score, not_applicable=na, comment=comment)
            )
        if recommendation and recommendation not in Review.Recommendation.values:
            errors["recommendation"] = _("Choose a recommendation.")
            recommendation = ""
        if submit and not recommendation:
            errors["recommendation"] = _("Choose a recommendation before submitting.")
        if submit and errors:
            raise ValidationError(errors)
        ReviewScore.objects.filter(review=review).delete()
        ReviewScore.objects.bulk_create(rows)
        review.recommendation = recommendation
        review.comment_to_staff = comment_to_staff.strip()
        review.feedback_to_applicant = feedback_to_applicant.strip()
        fields = ["recommendation", "comment_to_staff", "feedback_to_applicant", "updated_at"]
        if submit:
            review.weighted_score = scoring.review_weighted_score(
                (row.criterion, None if row.not_applicable else row.score) for row in rows
            )
            review.status = Review.Status.SUBMITTED
            review.submitted_at = timezone.now()
            fields += ["weighted_score", "status", "submitted_at"]
            locked.status = Assignment.Status.COMPLETED
            locked.save(update_fields=["status"])
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
                    "weighted_score": str(review.weighted_score),
                    "recommendation": recommendation,
                },
            )
    if not submit and errors:
        # A draft keeps what was valid and reports the rest.
        raise ValidationError(errors)
    return review


def review_reopen(*, review, by, reason="") -> Review:
    """Staff unlock a submitted review so the reviewer can change it; it leaves the results until resubmitted."""
    _require_staff(by)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status != Review.Status.SUBMITTED:
            raise ReviewError(_("Only a submitted review can be reopened."))
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
        audit(locked.application, "review.review.reopen", user=by, data={"review": locked.pk, "reason": reason})
        user = locked.member.user
        send_email_on_commit(
            template="review/review_reopened",
            to=[user.email],
            context={
                "name": user.display_name,
                "application": locked.application,
                "reason": reason,
                "link": settings.SITE_URL.rstrip("/") + reverse("review:score", args=[locked.assignment_id]),
            },
        )
    return locked


def review_feedback_approve(*, review, by, approved=True) -> Review:
    """Staff decide whether a reviewer's feedback may be passed (anonymously) to the applicant."""
    _require_staff(by)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if approved and not locked.feedback_to_applicant:
            raise ReviewError(_("There is no feedback to approve."))
        locked.feedback_approved_by_staff = approved
        locked.feedback_approved_by = by if approved else None
        locked.save(update_fields=["feedback_approved_by_staff", "feedback_approved_by", "updated_at"])
        audit(locked.application, "review.review.feedback", user=by, data={"review": locked.pk, "approved": approved})
    return locked
