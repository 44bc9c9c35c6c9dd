"""Staff screens for review panels inside the Wagtail admin. Every view checks our own role (program staff):
an Editor or Finance officer with admin access gets 403."""

import csv
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants.awards.models import Award
from grants.models import Application, FundingRound
from portal.downloads import download_response
from portal.money import format_money

from . import selectors, services
from .decision_selectors import missing_reviewers
from .forms import (
    BatchDecisionForm,
    DecisionForm,
    ManualAssignForm,
    MemberInviteForm,
    PanelSettingsForm,
)
from .models import Assignment, Decision, Panel, PanelMember, Review
from .pdf import decision_letter_pdf
from .permissions import can_manage_reviews

PAGE_SIZE = 25


def program_staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_manage_reviews(request.user)[0]:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _safe_cell(value):
    """Stop spreadsheet formula injection."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    return response


def _round_or_404(round_id):
    return get_object_or_404(FundingRound.objects.select_related("fund"), pk=round_id)


def _panel_or_none(funding_round):
    return Panel.objects.filter(round=funding_round).first()


def _ctx(title, **extra):
    return {"page_title": title, "header_title": title, "header_icon": "group", **extra}


# --- overview and set-up ----------------------------------------------------------------------------------------------


@program_staff_required
def index(request):
    rounds = (
        FundingRound.objects.select_related("panel", "rubric")
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
            panel = panel or services.panel_create(round=funding_round, by=request.user, name=data["name"])
            services.panel_update(
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
                member = services.panel_member_invite(panel=panel, by=request.user, **invite_form.cleaned_data)
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
    members = []
    if panel:
        members = panel.members.select_related("user").annotate(
            active=Count("assignments", filter=~Q(assignments__status=Assignment.Status.RECUSED)),
            done=Count("assignments", filter=Q(assignments__status=Assignment.Status.COMPLETED)),
        )
    return render(
        request,
        "review/admin/panel.html",
        _ctx(
            _("Panel for %(round)s") % {"round": funding_round.title},
            round=funding_round,
            panel=panel,
            members=members,
            settings_form=settings_form,
            invite_form=invite_form,
            rubric=getattr(funding_round, "rubric", None),
        ),
    )


@program_staff_required
@require_POST
def member_chair(request, member_id):
    member = get_object_or_404(PanelMember.objects.select_related("panel"), pk=member_id)
    services.panel_member_set_chair(member=member, by=request.user)
    messages.success(request, _("%(name)s is now the chair.") % {"name": member.user.display_name})
    return redirect("review_admin:panel", round_id=member.panel.round_id)


# --- assignments ------------------------------------------------------------------------------------------------------


@program_staff_required
def assignments(request, round_id):
    funding_round = _round_or_404(round_id)
    panel = _panel_or_none(funding_round)
    if panel is None:
        messages.warning(request, _("Set up the panel first."))
        return redirect("review_admin:panel", round_id=funding_round.pk)
    form = ManualAssignForm(request.POST or None, round=funding_round)
    if request.method == "POST" and "auto" in request.POST:
        created = services.assignments_auto(round=funding_round, by=request.user)
        messages.success(request, _("%(n)s assignments made.") % {"n": len(created)})
        return redirect("review_admin:assignments", round_id=funding_round.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(
                application=form.cleaned_data["application"], member=form.cleaned_data["member"], by=request.user
            )
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Reviewer assigned."))
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
    loads = panel.members.select_related("user").annotate(
        active=Count("assignments", filter=~Q(assignments__status=Assignment.Status.RECUSED))
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
@require_POST
def assignment_remove(request, assignment_id):
    assignment = get_object_or_404(Assignment.objects.select_related("application"), pk=assignment_id)
    try:
        services.assignment_remove(assignment=assignment, by=request.user)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Reviewer unassigned."))
    return redirect("review_admin:assignments", round_id=assignment.application.round_id)


# --- conflicts --------------------------------------------------------------------------------------------------------


@program_staff_required
def conflicts(request):
    round_id = request.GET.get("round")
    funding_round = FundingRound.objects.filter(pk=round_id).first() if (round_id or "").isdigit() else None
    register = selectors.conflict_register(round=funding_round)
    if request.GET.get("export") == "csv":
        return _csv_response(
            "conflicts.csv",
            [
                _("Declared"),
                _("Round"),
                _("Reviewer"),
                _("Email"),
                _("Kind"),
                _("Organisation"),
                _("Application"),
                _("Reason"),
            ],
            (
                [
                    timezone.localtime(c.declared_at).strftime("%Y-%m-%d %H:%M"),
                    c.member.panel.round.title,
                    c.member.user.display_name,
                    c.member.user.email,
                    c.member.get_kind_display(),
                    c.organisation.name,
                    c.assignment.application.reference or "",
                    c.reason,
                ]
                for c in register.iterator(chunk_size=500)
            ),
        )
    page = Paginator(register, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/admin/conflicts.html",
        _ctx(
            _("Conflict of interest register"),
            page_obj=page,
            declarations=page.object_list,
            round=funding_round,
            rounds=FundingRound.objects.order_by("-opens_at").only("pk", "title"),
        ),
    )


# --- results, ranking, decisions --------------------------------------------------------------------------------------

RANKING_HEADER = [
    "rank",
    "reference",
    "organisation",
    "title",
    "status",
    "requested",
    "currency",
    "mean_score",
    "normalised_score",
    "spread",
    "disagreement",
    "reviews",
    "fund",
    "maybe",
    "do_not_fund",
    "cumulative_requested",
    "fundable",
]


@program_staff_required
def ranking(request, round_id):
    funding_round = get_object_or_404(FundingRound.objects.select_related("fund", "panel", "commitment"), pk=round_id)
    panel = getattr(funding_round, "panel", None)
    if panel is None:
        raise Http404
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.SORTS else "raw"
    queryset = selectors.ranking(funding_round, sort=sort)
    remaining = selectors.round_remaining_budget(funding_round)
    currency = funding_round.fund.currency
    if request.GET.get("export") == "csv":

        def rows():
            chunk = 1000
            start = 0
            while True:
                batch = selectors.ranking_slice(queryset, start, start + chunk)
                if not batch:
                    return
                for offset, row in enumerate(
                    selectors.ranking_rows(batch, threshold=panel.disagreement_threshold, remaining=remaining)
                ):
                    a = row.application
                    yield [
                        start + offset + 1,
                        a.reference or "",
                        a.organisation.name,
                        a.title,
                        a.get_status_display(),
                        a.requested_amount or "",
                        currency,
                        row.mean if row.mean is not None else "",
                        row.normalised if row.normalised is not None else "",
                        row.spread if row.spread is not None else "",
                        "yes" if row.disagreement else "no",
                        row.reviews,
                        row.recommendations["fund"],
                        row.recommendations["maybe"],
                        row.recommendations["do_not_fund"],
                        row.cumulative,
                        "yes" if row.fundable else "no",
                    ]
                start += chunk

        return _csv_response(f"ranking-{funding_round.slug}-{sort}.csv", RANKING_HEADER, rows())
    page_number = request.GET.get("page")
    page = Paginator(
        selectors.PrecountedRanking(queryset, page_number=page_number, per_page=PAGE_SIZE), PAGE_SIZE
    ).get_page(page_number)
    rows = selectors.ranking_rows(page.object_list, threshold=panel.disagreement_threshold, remaining=remaining)
    first_rank = (page.number - 1) * PAGE_SIZE + 1
    return render(
        request,
        "review/admin/ranking.html",
        _ctx(
            _("Ranking: %(round)s") % {"round": funding_round.title},
            round=funding_round,
            panel=panel,
            page_obj=page,
            rows=rows,
            first_rank=first_rank,
            sort=sort,
            remaining=remaining,
            currency=currency,
            remaining_display=format_money(remaining, currency),
            batch_form=BatchDecisionForm(),
            offers_to_send=Award.objects.filter(round=funding_round, status=Award.Status.PREPARED).count(),
        ),
    )


@program_staff_required
def application_results(request, application_id):
    application = get_object_or_404(
        Application.objects.select_related("round__fund", "round__panel", "organisation"), pk=application_id
    )
    panel = getattr(application.round, "panel", None)
    if panel is None:
        raise Http404
    reviews, result = selectors.application_results(application)
    all_reviews = list(selectors.application_reviews(application))
    z_by_review = dict(zip([r.pk for r in reviews], result.z_scores))
    form = DecisionForm(initial={"amount": application.requested_amount})
    return render(
        request,
        "review/admin/application.html",
        _ctx(
            _("Results: %(reference)s") % {"reference": application.reference or application.pk},
            application=application,
            panel=panel,
            reviews=all_reviews,
            result=result,
            z_by_review=z_by_review,
            decision_form=form,
            decisions=Decision.objects.filter(application=application).select_related("decided_by"),
            award=Award.objects.filter(application=application, status__in=Award.ACTIVE_STATUSES).first(),
            missing=missing_reviewers([application.pk]).get(application.pk, []),
            criteria=list(application.round.rubric.criteria.all())
            if getattr(application.round, "rubric", None)
            else [],
        ),
    )


@program_staff_required
def decision_letter(request, decision_id):
    decision = get_object_or_404(
        Decision.objects.select_related("application__round__fund", "application__organisation"), pk=decision_id
    )
    feedback = selectors.approved_feedback(decision.application) if decision.include_feedback else []
    return download_response(
        decision_letter_pdf(decision, feedback=feedback),
        filename=f"decision-{decision.application.reference or decision.pk}.pdf",
        content_type="application/pdf",
    )


@program_staff_required
@require_POST
def review_reopen(request, review_id):
    review = get_object_or_404(Review, pk=review_id)
    try:
        services.review_reopen(review=review, by=request.user, reason=request.POST.get("reason", ""))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Review reopened; the reviewer has been emailed."))
    return redirect("review_admin:application", application_id=review.application_id)


@program_staff_required
@require_POST
def review_feedback(request, review_id):
    review = get_object_or_404(Review, pk=review_id)
    try:
        services.review_feedback_approve(review=review, by=request.user, approved=request.POST.get("approved") == "1")
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return redirect("review_admin:application", application_id=review.application_id)
