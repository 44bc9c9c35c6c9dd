"""Staff decide applications, one by one from the results page or in a batch from the ranking. Nothing is decided in
one click: each decision is restated on a confirmation page (with the reviewers whose reviews are still missing)
before `grants.review.decisions` records it. An approval then leads to the prepared offer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from applicants.selectors import decision_email_recipients
from grants.awards.models import Award
from grants.models import Application, FundingRound
from portal.confirm import carried, confirm_page, is_confirmed
from portal.money import format_money, money

from . import decisions
from .admin_views import program_staff_required
from .decision_selectors import missing_reviewers
from .forms import BatchDecisionForm, DecisionForm
from .selectors import approved_feedback

OUTCOME_VERBS = {
    "approve": gettext_lazy("Approve"),
    "waitlist": gettext_lazy("Waitlist"),
    "decline": gettext_lazy("Decline"),
}


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(str(m) for errors in exc.message_dict.values() for m in errors)
    return " ".join(str(m) for m in exc.messages)


def missing_warning(names) -> list[str]:
    if not names:
        return []
    return [
        ngettext(
            "Not every assigned review is in: %(names)s has not submitted a review.",
            "Not every assigned review is in: %(names)s have not submitted their reviews.",
            len(names),
        )
        % {"names": get_text_list(names, _("and"))}
    ]


def _consequences(application, outcome, amount, *, include_feedback) -> list[str]:
    currency = application.currency
    ref = f"{application.reference}: {application.organisation.name}"
    recipients = len(decision_email_recipients(application.organisation_id))
    emailed = ngettext(
        "The decision letter is emailed to %(n)s member of the organisation and shown on the application's page.",
        "The decision letter is emailed to %(n)s members of the organisation and shown on the application's page.",
        recipients,
    ) % {"n": recipients}
    if outcome == "approve":
        shown = format_money(amount, currency)
        return [
            _("%(ref)s is approved for %(amount)s.") % {"ref": ref, "amount": shown},
            _("%(amount)s of the fund's money is committed now, so it can never be promised twice.")
            % {"amount": shown},
            emailed,
            _(
                "The offer is not sent yet: next you check its payment schedule, conditions and reporting schedule, "
                "then send it."
            ),
        ]
    if outcome == "waitlist":
        return [
            _("%(ref)s goes on the waiting list; you can still approve or decline it later.") % {"ref": ref},
            emailed,
        ]
    feedback = len(approved_feedback(application)) if include_feedback else 0
    items = [_("%(ref)s is declined. This cannot be undone.") % {"ref": ref}, emailed]
    if feedback:
        items.append(
            ngettext(
                "The letter includes %(n)s piece of reviewer feedback you approved, without the reviewer's name.",
                "The letter includes %(n)s pieces of reviewer feedback you approved, without reviewers' names.",
                feedback,
            )
            % {"n": feedback}
        )
    return items


@program_staff_required
@require_POST
def decide(request, application_id):
    application = get_object_or_404(
        Application.objects.select_related("round__fund", "organisation"), pk=application_id
    )
    results_url = reverse("review_admin:application", args=[application.pk])
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the decision: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(results_url)
    data = form.cleaned_data
    try:
        amount = decisions.clean_amount(application, data["amount"]) if data["outcome"] == "approve" else None
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return redirect(results_url)
    if not is_confirmed(request):
        return confirm_page(
            request,
            admin=True,
            title=_("%(verb)s %(ref)s?") % {"verb": OUTCOME_VERBS[data["outcome"]], "ref": application.reference},
            consequences=_consequences(application, data["outcome"], amount, include_feedback=data["include_feedback"]),
            warnings=missing_warning(missing_reviewers([application.pk]).get(application.pk)),
            action=request.path,
            cancel_url=results_url,
            confirm_label=_("Record the decision"),
            danger=data["outcome"] == "decline",
        )
    try:
        decisions.decision_make(
            application=application,
            outcome=data["outcome"],
            by=request.user,
            amount=amount,
            conditions=data["conditions"],
            message=data["message"],
            include_feedback=data["include_feedback"],
        )
    except decisions.DecisionError as exc:
        messages.error(request, str(exc))
        return redirect(results_url)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return redirect(results_url)
    if data["outcome"] == "approve":
        award = Award.objects.filter(application=application, status=Award.Status.PREPARED).first()
        messages.success(
            request,
            _("Approved and the applicant emailed. The award is prepared: check the offer, then send it."),
        )
        if award is not None:
            return redirect("awards_admin:award_detail", pk=award.pk)
    else:
        messages.success(request, _("Decision recorded and the applicant emailed."))
    return redirect(results_url)


def _batch_amounts(request, chosen):
    """{application id: amount} from the confirmation page's rows, and {application id: error}."""
    amounts, errors = {}, {}
    for application in chosen:
        raw = request.POST.get(f"amount-{application.pk}", "")
        try:
            amounts[application.pk] = decisions.clean_amount(application, (raw or "").replace(",", "").strip())
        except ValidationError as exc:
            errors[application.pk] = _errors_text(exc)
    return amounts, errors


@program_staff_required
@require_POST
def decide_batch(request, round_id):
    """The ranking's selection → a page that restates the batch (asking the amount of each approval, the request by
    default) → the decisions, each succeeding or failing on its own."""
    funding_round = get_object_or_404(FundingRound.objects.select_related("fund"), pk=round_id)
    ranking_url = reverse("review_admin:ranking", args=[funding_round.pk])
    form = BatchDecisionForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("applications") if i.isdigit()]
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose a decision and at least one application."))
        return redirect(ranking_url)
    outcome = form.cleaned_data["outcome"]
    chosen = list(
        Application.objects.filter(round=funding_round, pk__in=ids)
        .select_related("round__fund", "organisation")
        .order_by("reference", "pk")
    )
    amounts, errors = _batch_amounts(request, chosen) if outcome == "approve" else ({}, {})
    if not is_confirmed(request) or errors:
        missing = missing_reviewers([a.pk for a in chosen])
        rows = [
            {
                "application": a,
                "amount": request.POST.get(f"amount-{a.pk}") or (a.requested_amount or ""),
                "error": errors.get(a.pk, "") if is_confirmed(request) else "",
                "missing": missing.get(a.pk, []),
            }
            for a in chosen
        ]
        total = sum((money(r["amount"]) for r in rows if outcome == "approve" and not r["error"] and r["amount"]), 0)
        return render(
            request,
            "review/admin/decide_batch_confirm.html",
            {
                "page_title": _("%(verb)s %(n)s applications?") % {"verb": OUTCOME_VERBS[outcome], "n": len(chosen)},
                "header_title": _("Confirm the decisions"),
                "round": funding_round,
                "outcome": outcome,
                "rows": rows,
                "carried": carried(request.POST, only={"applications", "outcome", "message", "include_feedback"}),
                "currency": funding_round.fund.currency,
                "total": format_money(total, funding_round.fund.currency) if outcome == "approve" else "",
                "message": form.cleaned_data["message"],
                "include_feedback": form.cleaned_data["include_feedback"],
                "cancel_url": ranking_url,
                "any_missing": any(r["missing"] for r in rows),
                "errors_count": sum(1 for r in rows if r["error"]),
            },
            status=400 if errors and is_confirmed(request) else 200,
        )
    results = decisions.decisions_batch(
        applications=chosen,
        outcome=outcome,
        by=request.user,
        amounts=amounts,
        message=form.cleaned_data["message"],
        include_feedback=form.cleaned_data["include_feedback"],
    )
    done = [a for a, decision, _error in results if decision]
    if done:
        messages.success(request, _("%(n)s decisions recorded.") % {"n": len(done)})
        if outcome == "approve":
            messages.info(request, _("Their offers are prepared: check them, then send them from “Offers to send”."))
    for application, _decision, error in results:
        if error:
            messages.error(request, f"{application.reference}: {error}")
    return redirect(ranking_url)
