"""Staff screens for review panels inside the Wagtail admin. Every view checks our own role (program staff):
an Editor or Finance officer with admin access gets 403."""

import csv
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants.awards.models import Award
from grants.models import Application, FundingRound
from portal.downloads import download_response
from portal.money import format_money
from portal.spreadsheets import safe_row

from . import selectors, services
from .decision_selectors import missing_reviewers
from .forms import (
    BatchDecisionForm,
    DecisionForm,
)
from .models import Decision, Review
from .pdf import decision_letter_pdf
from .permissions import can_manage_reviews
from .rubrics import versions_used

PAGE_SIZE = 25


def program_staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_manage_reviews(request.user)[0]:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return response


def _round_or_404(round_id):
    return get_object_or_404(FundingRound.objects.select_related("fund"), pk=round_id)


def _ctx(title, **extra):
    return {"page_title": title, "header_title": title, "header_icon": "group", **extra}


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
    page, first_rank = selectors.ranking_page(funding_round, sort=sort, params=request.GET, per_page=PAGE_SIZE)
    rows = selectors.ranking_rows(page.object_list, threshold=panel.disagreement_threshold, remaining=remaining)
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
            rubric_versions=versions_used(application.round),
            award=Award.objects.filter(application=application, status__in=Award.ACTIVE_STATUSES).first(),
            missing=missing_reviewers([application.pk]).get(application.pk, []),
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
