"""Program staff's award screens in the Wagtail admin: the award list and page, preparing and sending offers (one by
one or as a batch), one award's reporting schedule, cancelling a tranche and terminating. Every irreversible step is
restated on a confirmation page (portal.confirm) first. Finance may read these pages."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applicants.selectors import decision_email_recipients, owner_emails
from grants.impact.models import ImpactReport
from grants.impact.schedule import (
    ScheduleError,
    award_schedule,
    report_schedule_add,
    report_schedule_move,
    report_schedule_remove,
)
from grants.models import FundingRound
from portal.audit import history_for
from portal.confirm import confirm_page, is_confirmed
from portal.money import format_money

from . import lifecycle, offers, permissions, selectors, services
from .admin_views import _admin, _award, _page, requires
from .forms import OfferForm, OfferSendForm, ReasonForm, ScheduleReportForm, TrancheFormSet
from .models import Award, Disbursement, Tranche


@requires(permissions.can_view_money)
def award_list(request):
    status = request.GET.get("status", "")
    qs = Award.objects.select_related("application", "organisation", "round").order_by("-created_at", "-pk")
    if status in Award.Status.values:
        qs = qs.filter(status=status)
    return _admin(
        request,
        "award_list.html",
        {"page": _page(request, qs), "status": status, "statuses": Award.Status.choices, "page_title": _("Awards")},
    )


def _schedule_rows(award):
    """The reporting schedule with each report's state (planned rows have none yet)."""
    reports = {r.requirement_id: r for r in ImpactReport.objects.filter(award=award)}
    return [{"item": item, "report": reports.get(getattr(item, "pk", None))} for item in award_schedule(award)]


@requires(permissions.can_view_money)
def award_detail(request, pk):
    award = _award(pk)
    tranches = list(award.tranches.prefetch_related("disbursements"))
    for tranche in tranches:
        tranche.award = award
        tranche.payable, tranche.reason = selectors.tranche_payable(tranche)
    selectors.annotate_waiting(tranches)
    return _admin(
        request,
        "award_detail.html",
        {
            "award": award,
            "tranches": tranches,
            "schedule": _schedule_rows(award),
            "schedule_editable": award.status in Award.OPEN_STATUSES,
            "outstanding": lifecycle.outstanding(award) if award.status == Award.Status.ACCEPTED else [],
            "problems": offers.offer_problems(award) if award.status == Award.Status.PREPARED else [],
            "warnings": offers.offer_warnings(award) if award.status == Award.Status.PREPARED else [],
            "terminate_form": ReasonForm(),
            "audit_entries": history_for(award),
            "is_staff": permissions.can_manage_awards(request.user)[0],
            "is_finance": permissions.can_handle_payments(request.user)[0],
            "page_title": _("Award %(ref)s") % {"ref": award.application},
        },
    )


@requires(permissions.can_manage_awards)
def award_prepare_offer(request, pk):
    """Program staff prepare (or, once sent, revise) an offer: amount (never above what was committed), schedule,
    conditions, period, expiry. The grantee sees nothing until the offer is sent."""
    award = _award(pk)
    if award.status not in (Award.Status.PREPARED, Award.Status.OFFERED):
        messages.error(request, _("Only an offer not yet accepted can be changed."))
        return redirect("awards_admin:award_detail", pk=award.pk)
    initial = {
        f: getattr(award, f)
        for f in ("amount", "period_start", "period_end", "offer_expires_on", "conditions", "reporting_requirements")
    }
    tranche_initial = [
        {"amount": t.amount, "due_date": t.due_date, "condition": t.condition, "report_number": t.report_number}
        for t in award.tranches.all()
    ]
    form = OfferForm(request.POST or None, initial=initial, max_amount=award.amount, sent=award.is_sent)
    formset = TrancheFormSet(request.POST or None, initial=tranche_initial, prefix="tranches")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            specs = formset.specs(amount=data["amount"], split=data["split"], percentages=data["percentages"])
            services.award_revise_offer(
                award=award,
                by=request.user,
                amount=data["amount"],
                tranches=specs,
                conditions=data["conditions"],
                reporting_requirements=data["reporting_requirements"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                offer_expires_on=data.get("offer_expires_on"),
            )
        except (services.AwardError, ValidationError) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("The offer is updated and the grantee's owners are told.")
                if award.is_sent
                else _("The offer is saved. It is not sent yet."),
            )
            return redirect("awards_admin:award_detail", pk=award.pk)
    return _admin(
        request,
        "award_offer_form.html",
        {"award": award, "form": form, "formset": formset, "page_title": _("Prepare the offer")},
    )


def _send_consequences(awards, expires) -> list[str]:
    total = sum((a.amount for a in awards), 0)
    currency = awards[0].currency if awards else "USD"
    people = len({e for a in awards for e in owner_emails(a.organisation_id)})
    members = len({e for a in awards for e in decision_email_recipients(a.organisation_id)})
    return [
        ngettext(
            "%(n)s offer totalling %(total)s is sent with its grant agreement (PDF).",
            "%(n)s offers totalling %(total)s are sent, each with its grant agreement (PDF).",
            len(awards),
        )
        % {"n": len(awards), "total": format_money(total, currency)},
        _("The organisations' owners (%(owners)s people) can accept or decline online until %(date)s.")
        % {"owners": people, "date": expires.isoformat()},
        _("Members who receive decision emails (%(n)s people) are emailed too.") % {"n": members},
        _("After sending, the amount can still be lowered and the schedule changed until the grantee accepts."),
    ]


@requires(permissions.can_manage_awards)
def award_send_offer(request, pk):
    """The offer restated (schedule, conditions, reports, expiry, who is emailed); confirming sends it."""
    award = _award(pk)
    detail = reverse("awards_admin:award_detail", args=[award.pk])
    if award.status != Award.Status.PREPARED:
        messages.error(request, _("This offer has already been sent."))
        return redirect(detail)
    default = timezone.localdate() + timedelta(days=award.fund.award_offer_days)
    form = OfferSendForm(request.POST or None, initial={"offer_expires_on": default})
    problems = offers.offer_problems(award)
    if is_confirmed(request) and form.is_valid() and not problems:
        try:
            offers.award_send_offer(
                award=award, by=request.user, offer_expires_on=form.cleaned_data["offer_expires_on"]
            )
        except services.AwardError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The offer is sent to %(org)s.") % {"org": award.organisation.name})
        return redirect(detail)
    expires = form.cleaned_data["offer_expires_on"] if form.is_bound and form.is_valid() else default
    return confirm_page(
        request,
        admin=True,
        title=_("Send the offer for %(ref)s?") % {"ref": award.application},
        consequences=_send_consequences([award], expires),
        warnings=problems + offers.offer_warnings(award),
        action=request.path,
        cancel_url=detail,
        confirm_label=_("Send the offer"),
        details_template="awards/admin/_offer_summary.html",
        data={},
        award=award,
        tranches=award.tranches.all(),
        schedule=_schedule_rows(award),
        form=form,
        cannot_confirm=bool(problems),
    )


@requires(permissions.can_manage_awards)
def offer_send_batch(request):
    """Prepared offers (of one round, or all): choose → the batch restated → sent, each on its own."""
    round_ = FundingRound.objects.filter(pk=request.GET.get("round") or request.POST.get("round") or 0).first()
    prepared = (
        Award.objects.filter(status=Award.Status.PREPARED)
        .select_related("application", "organisation", "round", "fund")
        .prefetch_related("tranches")
        .order_by("application__reference", "pk")
    )
    if round_ is not None:
        prepared = prepared.filter(round=round_)
    form = OfferSendForm(
        request.POST or None,
        initial={"offer_expires_on": timezone.localdate() + timedelta(days=30)},
    )
    chosen_ids = {int(i) for i in request.POST.getlist("awards") if i.isdigit()}
    back = reverse("awards_admin:offer_send_batch") + (f"?round={round_.pk}" if round_ else "")
    if request.method == "POST" and form.is_valid() and chosen_ids:
        chosen = [a for a in prepared if a.pk in chosen_ids]
        expires = form.cleaned_data["offer_expires_on"]
        if not chosen:
            messages.error(request, _("Those offers have already been sent."))
            return redirect(back)
        if is_confirmed(request):
            results = offers.award_send_offers(awards=chosen, by=request.user, offer_expires_on=expires)
            sent = [a for a, error in results if not error]
            if sent:
                messages.success(request, _("%(n)s offers sent.") % {"n": len(sent)})
            for award, error in results:
                if error:
                    messages.error(request, f"{award.application}: {error}")
            return redirect(back)
        warnings = [
            f"{a.application}: {p}" for a in chosen for p in offers.offer_problems(a) + offers.offer_warnings(a)
        ]
        return confirm_page(
            request,
            admin=True,
            title=ngettext("Send %(n)s offer?", "Send %(n)s offers?", len(chosen)) % {"n": len(chosen)},
            consequences=_send_consequences(chosen, expires),
            warnings=warnings,
            action=request.path,
            cancel_url=back,
            confirm_label=_("Send the offers"),
            details_template="awards/admin/_offer_batch_summary.html",
            chosen=chosen,
        )
    if request.method == "POST" and not chosen_ids:
        messages.error(request, _("Choose at least one offer to send."))
    rows = [{"award": a, "problems": offers.offer_problems(a), "warnings": offers.offer_warnings(a)} for a in prepared]
    return _admin(
        request,
        "offer_send_batch.html",
        {"rows": rows, "round": round_, "form": form, "page_title": _("Offers to send")},
    )


@requires(permissions.can_manage_awards)
@require_POST
def award_terminate(request, pk):
    award = _award(pk)
    detail = reverse("awards_admin:award_detail", args=[award.pk])
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for ending the award."))
        return redirect(detail)
    if not is_confirmed(request):
        paid = selectors.award_paid_total(award)
        live = Disbursement.objects.filter(tranche__award=award, status__in=("pending", "approved")).count()
        consequences = [
            _("The award ends now and cannot be reopened."),
            _("%(paid)s has been paid; %(released)s that is not paid goes back to the fund and the round.")
            % {
                "paid": format_money(paid, award.currency),
                "released": format_money(award.amount - paid, award.currency),
            },
            _("Every tranche not yet paid is cancelled."),
        ]
        if live:
            consequences.append(
                ngettext(
                    "%(n)s payment prepared but not yet in a payment file is cancelled.",
                    "%(n)s payments prepared but not yet in a payment file are cancelled.",
                    live,
                )
                % {"n": live}
            )
        if award.is_sent:
            consequences.append(_("The grantee is emailed, with your reason."))
        return confirm_page(
            request,
            admin=True,
            title=_("Terminate the award %(ref)s?") % {"ref": award.application},
            consequences=consequences + [_("Your reason: %(reason)s") % {"reason": form.cleaned_data["reason"]}],
            action=request.path,
            cancel_url=detail,
            confirm_label=_("Terminate the award"),
            danger=True,
        )
    try:
        services.award_terminate(award=award, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The award is terminated and the unpaid remainder released."))
    except services.AwardError as exc:
        messages.error(request, str(exc))
    return redirect(detail)


@requires(permissions.can_manage_awards)
def tranche_cancel(request, pk):
    """A page that restates what cancelling the tranche does and asks why; confirming cancels it."""
    tranche = get_object_or_404(Tranche.objects.select_related("award__application"), pk=pk)
    award = tranche.award
    detail = reverse("awards_admin:award_detail", args=[award.pk])
    form = ReasonForm(request.POST or None)
    if is_confirmed(request) and form.is_valid():
        try:
            lifecycle.tranche_cancel(tranche=tranche, by=request.user, reason=form.cleaned_data["reason"])
        except services.AwardError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Tranche %(n)s is cancelled.") % {"n": tranche.sequence})
        return redirect(detail)
    return confirm_page(
        request,
        admin=True,
        title=_("Cancel tranche %(n)s of %(ref)s?") % {"n": tranche.sequence, "ref": award.application},
        consequences=[
            _("Tranche %(n)s (%(amount)s) will not be paid.")
            % {"n": tranche.sequence, "amount": format_money(tranche.amount, award.currency)},
            _("Its money stays committed until the award closes; closing releases it to the fund."),
        ],
        action=request.path,
        cancel_url=detail,
        confirm_label=_("Cancel the tranche"),
        danger=True,
        data={},
        form=form,
    )


def _schedule_form_page(request, award, form, title):
    return _admin(
        request,
        "schedule_form.html",
        {"award": award, "form": form, "page_title": title},
    )


@requires(permissions.can_manage_awards)
def schedule_add(request, pk):
    award = _award(pk)
    form = ScheduleReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_schedule_add(award=award, by=request.user, **form.cleaned_data)
        except ScheduleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The report is added to the schedule."))
            return redirect("awards_admin:award_detail", pk=award.pk)
    return _schedule_form_page(request, award, form, _("Add a report to %(ref)s") % {"ref": award.application})


def _planned(award, number):
    return next((item for item in award_schedule(award) if item.number == number), None)


@requires(permissions.can_manage_awards)
def schedule_move(request, pk, number):
    award = _award(pk)
    item = _planned(award, number)
    if item is None:
        messages.error(request, _("This award has no report %(n)s.") % {"n": number})
        return redirect("awards_admin:award_detail", pk=award.pk)
    initial = {"period_start": item.period_start, "period_end": item.period_end, "due_date": item.due_date}
    form = ScheduleReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report_schedule_move(award=award, number=number, by=request.user, **form.cleaned_data)
        except ScheduleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Report %(n)s is moved.") % {"n": number})
            return redirect("awards_admin:award_detail", pk=award.pk)
    return _schedule_form_page(
        request, award, form, _("Change report %(n)s of %(ref)s") % {"n": number, "ref": award.application}
    )


@requires(permissions.can_manage_awards)
def schedule_remove(request, pk, number):
    award = _award(pk)
    detail = reverse("awards_admin:award_detail", args=[award.pk])
    item = _planned(award, number)
    if item is None:
        messages.error(request, _("This award has no report %(n)s.") % {"n": number})
        return redirect(detail)
    if is_confirmed(request):
        try:
            report_schedule_remove(award=award, number=number, by=request.user)
        except ScheduleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Report %(n)s is removed from the schedule.") % {"n": number})
        return redirect(detail)
    return confirm_page(
        request,
        admin=True,
        title=_("Remove report %(n)s of %(ref)s?") % {"n": number, "ref": award.application},
        consequences=[
            _("The grantee will not be asked for the report covering %(start)s to %(end)s, due %(due)s.")
            % {"start": item.period_start.isoformat(), "end": item.period_end.isoformat(), "due": item.due_date},
            _("The report covering the latest period remains the final report."),
        ],
        action=request.path,
        cancel_url=detail,
        confirm_label=_("Remove the report"),
        danger=True,
        data={},
    )
