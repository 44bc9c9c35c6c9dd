from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "review.panel.create": _("Review panel created"),
    "review.panel.member_add": _("Panel member added"),
    "review.panel.chair": _("Panel chair changed"),
    "review.panel.auto_assign": _("Reviewers assigned automatically"),
    "review.round.deadline": _("Review deadline set"),
    "review.assignment.create": _("Reviewer assigned"),
    "review.assignment.remove": _("Reviewer unassigned"),
    "review.conflict.declare": _("Conflict of interest declared"),
    "review.review.submit": _("Review submitted"),
    "review.review.reopen": _("Review reopened"),
    "review.review.feedback": _("Reviewer feedback approved or withdrawn"),
    "review.decision.approve": _("Approved after review"),
    "review.decision.waitlist": _("Waitlisted after review"),
    "review.decision.decline": _("Declined after review"),
}


@hooks.register("register_log_actions")
def register_review_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
