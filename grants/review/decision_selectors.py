"""Reads for decisions: reviews still missing before a decision, and the decision an applicant sees."""

from collections import defaultdict

from grants.awards.models import Award

from .models import Assignment, Decision
from .selectors import approved_feedback


def missing_reviewers(application_ids) -> dict[int, list[str]]:
    """{application id: [names of assigned reviewers who have not submitted]} (recused reviewers are not missing)."""
    missing = defaultdict(list)
    rows = (
        Assignment.objects.filter(application_id__in=list(application_ids), status=Assignment.Status.ASSIGNED)
        .select_related("member__user")
        .order_by("application_id", "member__user__last_name", "member__user__first_name", "pk")
    )
    for assignment in rows:
        user = assignment.member.user
        missing[assignment.application_id].append(user.get_full_name() or user.email)
    return dict(missing)


def latest_decision(application) -> Decision | None:
    return (
        Decision.objects.filter(application=application).select_related("application__round__fund").first()
        if application.pk
        else None
    )


def decision_for_applicant(application) -> dict | None:
    """What the application page shows members once a decision is made: the decision, the feedback that goes with a
    decline (approved by staff, never a reviewer's name) and the award, once its offer has been sent."""
    if application.status not in ("approved", "waitlisted", "declined"):
        return None
    decision = latest_decision(application)
    if decision is None:
        return None
    award = (
        Award.objects.filter(application=application, offered_at__isnull=False).order_by("-pk").first()
        if decision.outcome == Decision.Outcome.APPROVE
        else None
    )
    return {
        "decision": decision,
        "feedback": approved_feedback(application) if decision.include_feedback else [],
        "award": award,
    }
