"""Staff screens for setting up and running a panel: the rounds overview, panel settings and members (invite, chair,
remove), assignments (automatic and by hand, unassign) and the conflict register. Every irreversible action is a
GET confirmation page that restates what will happen, then a POST. Results, ranking and decisions: admin_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from grants.models import Application, FundingRound

from . import panels, services
from .admin_views import PAGE_SIZE, _csv_response, _ctx, _round_or_404, program_staff_required
from .assignment import assignments_preview
from .conflicts import automatic_conflict_register
from .forms import ManualAssignForm, MemberInviteForm, PanelSettingsForm
from .models import Assignment, Panel, PanelMember, Review, Rubric
from .rubrics import current_rubric
from .selectors import conflict_register


def _panel_or_none(funding_round):
    return Panel.objects.filter(round=funding_round).first()


# --- overview and set-up ----------------------------------------------------------------------------------------------


@program_staff_required
def index(request):
    rounds = (
        FundingRound.objects.select_related("panel")
        .prefetch_related(Prefetch("rubrics", queryset=Rubric.objects.filter(is_current=True), to_attr="current"))
        .annotate(
            in_review=Count("applications", filter=Q(applications__status=Application.Status.IN_REVIEW), distinct=True),
        )
        .order_by("-opens_at")
    )
    paginator = Paginator(rounds, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "review/admin/index.html", _ctx(_("Review panels"), page_obj=page, rounds=page.object_list))


@program_staff_required
def panel_setup(request, round_id):
    funding_round = _round_or_404(round_id)
    panel = _panel_or_none(funding_round)
    initial = {
        "name": panel.name if panel else _("%(round)s panel") % {"round": funding_round.title},
        "blind_review": panel.blind_review if panel else False,
        "reviewers_see_others_after_submit": panel.reviewers_see_others_after_submit if panel else False,
        "disagreement_threshold": panel.disagreement_threshold if panel else 30,
        "review_deadline": funding_round.review_deadline,
    }
    settings_form = PanelSettingsForm(request.POST if "save_settings" in request.POST else None, initial=initial)
    invite_form = MemberInviteForm(request.POST if "invite" in request.POST else None)
    if request.method == "POST":
        if "save_settings" in request.POST and settings_form.is_valid():
            data = settings_form.cleaned_data
            panel = panel or panels.panel_create(round=funding_round, by=request.user, name=data["name"])
            panels.panel_update(
                panel=panel,
                by=request.user,
                name=data["name"],
                blind_review=data["blind_review"],
                reviewers_see_others_after_submit=data["reviewers_see_others_after_submit"],
                disagreement_threshold=data["disagreement_threshold"],
            )
            if data["review_deadline"] != funding_round.review_deadline:
                services.review_deadline_set(round=funding_round, deadline=data["review_deadline"], by=request.user)
            messages.success(request, _("Panel settings saved."))
            return redirect("review_admin:panel", round_id=funding_round.pk)
        if "invite" in request.POST and panel is None:
            messages.error(request, _("Save the panel settings first."))
        elif "invite" in request.POST and invite_form.is_valid():
            try:
                member = panels.panel_member_invite(panel=panel, by=request.user, **invite_form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    invite_form.add_error(field if field in invite_form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("%(name)s was added to the panel and emailed an invitation.")
                    % {"name": member.user.display_name},
                )
                return redirect("review_admin:panel", round_id=funding_round.pk)
    members, removed = [], []
    if panel:
        members = (
            panel.members.filter(removed_at__isnull=True)
            .select_related("user")
            .annotate(
                active=Count("assignments", filter=~Q(assignments__status=Assignment.Status.RECUSED)),
                done=Count("assignments", filter=Q(assignments__status=Assignment.Status.COMPLETED)),
            )
        )
        removed = panel.members.filter(removed_at__isnull=False).select_related("user").order_by("-removed_at")
    return render(
        request,
        "review/admin/panel.html",
        _ctx(
            _("Panel for %(round)s") % {"round": funding_round.title},
            round=funding_round,
            panel=panel,
            members=members,
            removed_members=removed,
            settings_form=settings_form,
            invite_form=invite_form,
            rubric=current_rubric(funding_round),
        ),
    )


@program_staff_required
@require_POST
def member_chair(request, member_id):
    member = get_object_or_404(PanelMember.objects.select_related("panel", "user"), pk=member_id)
    try:
        panels.panel_member_set_chair(member=member, by=request.user)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s is now the chair.") % {"name": member.user.display_name})
    return redirect("review_admin:panel", round_id=member.panel.round_id)


@program_staff_required
@require_http_methods(["GET", "POST"])
def member_remove(request, member_id):
    """Confirm, then take a member off the panel (their open work is released and refilled)."""
    member = get_object_or_404(
        PanelMember.objects.select_related("panel__round", "user"), pk=member_id, removed_at__isnull=True
    )
    if request.method == "POST":
        try:
            outcome = panels.panel_member_remove(member=member, by=request.user)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "%(name)s was removed from the panel and emailed. %(released)s open assignments were released "
                    "and %(refilled)s new assignments made; %(submitted)s submitted reviews still count."
                )
                % {
                    "name": member.user.display_name,
                    "released": len(outcome["released"]),
                    "refilled": len(outcome["refilled"]),
                    "submitted": outcome["submitted"],
                },
            )
        return redirect("review_admin:panel", round_id=member.panel.round_id)
    open_work = list(
        Assignment.objects.filter(member=member, status=Assignment.Status.ASSIGNED)
        .select_related("application")
        .order_by("application__reference", "pk")
    )
    return render(
        request,
        "review/admin/member_remove.html",
        _ctx(
            _("Remove %(name)s from the panel") % {"name": member.user.display_name},
            member=member,
            round=member.panel.round,
            open_work=open_work,
            drafts=Review.objects.filter(member=member, status=Review.Status.DRAFT).count(),
            submitted=Review.objects.filter(member=member, status=Review.Status.SUBMITTED).count(),
        ),
    )


# --- assignments ------------------------------------------------------------------------------------------------------


@program_staff_required
def assignments(request, round_id):
    funding_round = _round_or_404(round_id)
    panel = _panel_or_none(funding_round)
    if panel is None:
        messages.warning(request, _("Set up the panel first."))
        return redirect("review_admin:panel", round_id=funding_round.pk)
    form = ManualAssignForm(request.POST or None, round=funding_round)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(
                application=form.cleaned_data["application"], member=form.cleaned_data["member"], by=request.user
            )
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Reviewer assigned and emailed."))
            return redirect("review_admin:assignments", round_id=funding_round.pk)
    applications = (
        Application.objects.filter(round=funding_round, status=Application.Status.IN_REVIEW)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "review_assignments",
                queryset=Assignment.objects.select_related("member__user", "review").order_by("member__kind", "pk"),
            )
        )
        .order_by("reference", "pk")
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    loads = (
        panel.members.filter(removed_at__isnull=True)
        .select_related("user")
        .annotate(active=Count("assignments", filter=~Q(assignments__status=Assignment.Status.RECUSED)))
    )
    return render(
        request,
        "review/admin/assignments.html",
        _ctx(
            _("Assignments: %(round)s") % {"round": funding_round.title},
            round=funding_round,
            panel=panel,
            page_obj=page,
            applications=page.object_list,
            form=form,
            loads=loads,
        ),
    )


@program_staff_required
@require_http_methods(["GET", "POST"])
def assignments_auto(request, round_id):
    """Confirm, then assign automatically. The page lists the assignments the rules would make now."""
    funding_round = _round_or_404(round_id)
    if _panel_or_none(funding_round) is None:
        messages.warning(request, _("Set up the panel first."))
        return redirect("review_admin:panel", round_id=funding_round.pk)
    if request.method == "POST":
        created = services.assignments_auto(round=funding_round, by=request.user)
        messages.success(request, _("%(n)s assignments made; the reviewers have been emailed.") % {"n": len(created)})
        return redirect("review_admin:assignments", round_id=funding_round.pk)
    plan = assignments_preview(round=funding_round)
    # One row per reviewer (the table stays as long as the panel, however many applications there are).
    by_member = {}
    for application, member in plan:
        by_member.setdefault(member.pk, (member, []))[1].append(application.reference or "")
    return render(
        request,
        "review/admin/assign_auto_confirm.html",
        _ctx(
            _("Assign reviewers automatically: %(round)s") % {"round": funding_round.title},
            round=funding_round,
            plan=plan,
            per_reviewer=sorted(by_member.values(), key=lambda row: row[0].user.display_name.lower()),
            reviewers=len(by_member),
            in_review=Application.objects.filter(round=funding_round, status=Application.Status.IN_REVIEW).count(),
        ),
    )


@program_staff_required
@require_http_methods(["GET", "POST"])
def assignment_remove(request, assignment_id):
    """Confirm, then unassign a reviewer."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("application__round", "member__user"), pk=assignment_id
    )
    if request.method == "POST":
        try:
            services.assignment_remove(assignment=assignment, by=request.user)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Reviewer unassigned and emailed."))
        return redirect("review_admin:assignments", round_id=assignment.application.round_id)
    return render(
        request,
        "review/admin/unassign_confirm.html",
        _ctx(
            _("Unassign %(name)s") % {"name": assignment.member.user.display_name},
            assignment=assignment,
            round=assignment.application.round,
            has_draft=Review.objects.filter(assignment=assignment, status=Review.Status.DRAFT).exists(),
            submitted=Review.objects.filter(assignment=assignment, status=Review.Status.SUBMITTED).exists(),
        ),
    )


# --- conflicts --------------------------------------------------------------------------------------------------------

CONFLICT_HEADER = [
    gettext_lazy("Source"),
    gettext_lazy("Declared"),
    gettext_lazy("Round"),
    gettext_lazy("Reviewer"),
    gettext_lazy("Email"),
    gettext_lazy("Kind"),
    gettext_lazy("Organisation"),
    gettext_lazy("Application"),
    gettext_lazy("Reason"),
]


@program_staff_required
def conflicts(request):
    round_id = request.GET.get("round")
    funding_round = FundingRound.objects.filter(pk=round_id).first() if (round_id or "").isdigit() else None
    register = conflict_register(round=funding_round)
    automatic = automatic_conflict_register(round=funding_round)
    if request.GET.get("export") == "csv":

        def rows():
            for c in register.iterator(chunk_size=500):
                yield [
                    _("Declared"),
                    timezone.localtime(c.declared_at).strftime("%Y-%m-%d %H:%M"),
                    c.member.panel.round.title,
                    c.member.user.display_name,
                    c.member.user.email,
                    c.member.get_kind_display(),
                    c.organisation.name,
                    c.assignment.application.reference or "",
                    c.reason,
                ]
            for row in automatic:
                yield [
                    _("Automatic"),
                    "",
                    row.round.title,
                    row.member.user.display_name,
                    row.member.user.email,
                    row.member.get_kind_display(),
                    row.organisation.name,
                    "",
                    row.conflict.reason,
                ]

        return _csv_response("conflicts.csv", [str(h) for h in CONFLICT_HEADER], rows())
    page = Paginator(register, PAGE_SIZE).get_page(request.GET.get("page"))
    automatic_page = Paginator(automatic, PAGE_SIZE).get_page(request.GET.get("auto_page"))
    return render(
        request,
        "review/admin/conflicts.html",
        _ctx(
            _("Conflict of interest register"),
            page_obj=page,
            declarations=page.object_list,
            automatic_page=automatic_page,
            automatic=automatic_page.object_list,
            round=funding_round,
            rounds=FundingRound.objects.order_by("-opens_at").only("pk", "title"),
        ),
    )
