from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.permissions import register_permission_policy

from portal.admin_policies import ProgramStaffPolicy
from portal.roles import is_program_staff

from .admin_rubrics import rubric_viewset
from .models import Rubric

LOG_ACTIONS = {
    "review.panel.create": _("Review panel created"),
    "review.panel.update": _("Review panel settings changed"),
    "review.panel.member_add": _("Panel member added"),
    "review.panel.member_remove": _("Panel member removed"),
    "review.panel.chair": _("Panel chair changed"),
    "review.panel.auto_assign": _("Reviewers assigned automatically"),
    "review.round.deadline": _("Review deadline set"),
    "review.assignment.create": _("Reviewer assigned"),
    "review.assignment.remove": _("Reviewer unassigned"),
    "review.conflict.declare": _("Conflict of interest declared"),
    "review.review.submit": _("Review submitted"),
    "review.review.reopen": _("Review reopened"),
    "review.review.feedback": _("Reviewer feedback approved or withdrawn"),
    "review.rubric.freeze": _("Rubric frozen by its first submitted review"),
    "review.rubric.version": _("New rubric version"),
    "review.decision.approve": _("Approved after review"),
    "review.decision.waitlist": _("Waitlisted after review"),
    "review.decision.decline": _("Declined after review"),
}


@hooks.register("register_log_actions")
def register_review_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


# --- staff screens --------------------------------------------------------------------------------------------------


register_permission_policy(Rubric, ProgramStaffPolicy(Rubric), exact_class=True)


@hooks.register("register_admin_viewset")
def register_rubric_viewset():
    return rubric_viewset


class ProgramStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_program_staff(request.user)


class ProgramStaffSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return is_program_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_review_menu():
    items = [
        ProgramStaffMenuItem(_("Panels and ranking"), reverse("review_admin:index"), icon_name="group", order=1),
        ProgramStaffMenuItem(_("Rubrics"), reverse("review_rubrics:index"), icon_name="list-ol", order=2),
        ProgramStaffMenuItem(_("Conflict register"), reverse("review_admin:conflicts"), icon_name="warning", order=3),
    ]
    return ProgramStaffSubmenu(_("Review"), Menu(items=items), icon_name="group", order=205)


@hooks.register("register_admin_urls")
def register_review_admin_urls():
    from . import admin_panels as p
    from . import admin_views as v
    from . import decision_views

    urls = [
        path("", p.index, name="index"),
        path("rounds/<int:round_id>/panel/", p.panel_setup, name="panel"),
        path("rounds/<int:round_id>/assignments/", p.assignments, name="assignments"),
        path("rounds/<int:round_id>/assignments/auto/", p.assignments_auto, name="assignments_auto"),
        path("rounds/<int:round_id>/ranking/", v.ranking, name="ranking"),
        path("rounds/<int:round_id>/decisions/", decision_views.decide_batch, name="decide_batch"),
        path("members/<int:member_id>/chair/", p.member_chair, name="member_chair"),
        path("members/<int:member_id>/remove/", p.member_remove, name="member_remove"),
        path("assignments/<int:assignment_id>/remove/", p.assignment_remove, name="assignment_remove"),
        path("conflicts/", p.conflicts, name="conflicts"),
        path("applications/<int:application_id>/", v.application_results, name="application"),
        path("applications/<int:application_id>/decide/", decision_views.decide, name="decide"),
        path("decisions/<int:decision_id>/letter/", v.decision_letter, name="decision_letter"),
        path("reviews/<int:review_id>/reopen/", v.review_reopen, name="review_reopen"),
        path("reviews/<int:review_id>/feedback/", v.review_feedback, name="review_feedback"),
    ]
    return [path("review/", include((urls, "review_admin"), namespace="review_admin"))]
