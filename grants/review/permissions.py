"""Who may see and do what in the review process. Each check returns (allowed, reason); views turn a refusal into 404."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from portal import roles

from .models import Assignment, ConflictDeclaration


def can_open_assignment(user, assignment) -> tuple[bool, str]:
    """The assigned reviewer, while not recused, may open the assignment (at first only to declare conflicts)."""
    if not roles.is_reviewer(user):
        return False, _("Only reviewers can open reviews.")
    if assignment.member.user_id != user.pk:
        return False, _("This application is not assigned to you.")
    if not assignment.member.is_active:
        return False, _("You are no longer on this panel.")
    if assignment.status == Assignment.Status.RECUSED:
        return False, _("You recused yourself from this application.")
    return True, ""


def _declaration(assignment):
    try:
        return assignment.conflict_declaration
    except ConflictDeclaration.DoesNotExist:
        return None


def can_see_application(user, assignment) -> tuple[bool, str]:
    """The application's details only after the reviewer declared no conflict."""
    allowed, reason = can_open_assignment(user, assignment)
    if not allowed:
        return allowed, reason
    declaration = _declaration(assignment)
    if declaration is None:
        return False, _("Declare whether you have a conflict of interest first.")
    if declaration.has_conflict:
        return False, _("You declared a conflict of interest.")
    return True, ""


def can_see_other_reviews(user, assignment, own_review) -> tuple[bool, str]:
    """Never before the reviewer's own review is submitted; after, only if the panel allows it."""
    allowed, reason = can_see_application(user, assignment)
    if not allowed:
        return allowed, reason
    if own_review is None or not own_review.is_submitted:
        return False, _("Other reviews are shown only after you submit yours.")
    if not assignment.member.panel.reviewers_see_others_after_submit:
        return False, _("This panel does not share reviews between reviewers.")
    return True, ""


def can_manage_reviews(user) -> tuple[bool, str]:
    if roles.is_program_staff(user):
        return True, ""
    return False, _("Only program staff can manage review panels.")


def require_staff(user) -> None:
    """For services: raise PermissionDenied unless the acting user may manage reviews."""
    allowed, reason = can_manage_reviews(user)
    if not allowed:
        raise PermissionDenied(reason)
