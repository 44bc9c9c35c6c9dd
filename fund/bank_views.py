"""Bank reconciliation screens in the Wagtail admin (finance only): statements, matching, unmatched items, periods."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import roles

from . import banking
from .models import BankStatementLine, Fund, LedgerTransaction, ReconciliationPeriod

PAGE_SIZE = 50


def finance_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_finance(request.user):
            return render(
                request,
                "fund/admin/forbidden.html",
                {
                    "reason": _("Only finance officers can reconcile the bank."),
                    "page_title": _("Not allowed"),
                    "header_title": _("Not allowed"),
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


class StatementImportForm(forms.Form):
    fund = forms.ModelChoiceField(label=gettext_lazy("Fund"), queryset=Fund.objects.order_by("name"))
    file = forms.FileField(label=gettext_lazy("Bank statement (CSV with a header row)"))
    date_column = forms.CharField(label=gettext_lazy("Date column"), initial="Date", max_length=60)
    description_column = forms.CharField(label=gettext_lazy("Description column"), initial="Description", max_length=60)
    amount_column = forms.CharField(
        label=gettext_lazy("Amount column (paid in +, paid out −)"), initial="Amount", max_length=60, required=False
    )
    paid_in_column = forms.CharField(label=gettext_lazy("Or: paid-in column"), max_length=60, required=False)
    paid_out_column = forms.CharField(label=gettext_lazy("and paid-out column"), max_length=60, required=False)
    reference_column = forms.CharField(label=gettext_lazy("Reference column (optional)"), max_length=60, required=False)
    date_format = forms.ChoiceField(
        label=gettext_lazy("Date format"),
        choices=[("iso", "YYYY-MM-DD"), ("dmy", "DD/MM/YYYY"), ("mdy", "MM/DD/YYYY")],
    )

    def clean(self):
        data = super().clean()
        split = data.get("paid_in_column") or data.get("paid_out_column")
        if not split and not data.get("amount_column"):
            raise forms.ValidationError(_("Name the amount column, or the paid-in and paid-out columns."))
        if split and not (data.get("paid_in_column") and data.get("paid_out_column")):
            raise forms.ValidationError(_("Name both the paid-in and the paid-out columns."))
        upload = data.get("file")
        if upload is not None and upload.size > 5 * 1024 * 1024:
            self.add_error("file", _("The file is larger than 5 MB."))
        return data

    def mapping(self) -> banking.ColumnMapping:
        d = self.cleaned_data
        split = bool(d["paid_in_column"])
        return banking.ColumnMapping(
            date=d["date_column"].strip(),
            description=d["description_column"].strip(),
            amount="" if split else d["amount_column"].strip(),
            paid_in=d["paid_in_column"].strip(),
            paid_out=d["paid_out_column"].strip(),
            reference=d["reference_column"].strip(),
            date_format=d["date_format"],
        )


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))


def _fund(request):
    funds = list(Fund.objects.order_by("name"))
    fund = next((f for f in funds if str(f.pk) == request.GET.get("fund")), funds[0] if funds else None)
    return funds, fund


@finance_only
def reconciliation(request):
    funds, fund = _fund(request)
    lines = BankStatementLine.objects.none()
    movements = LedgerTransaction.objects.none()
    if fund is not None:
        lines = BankStatementLine.objects.filter(fund=fund, matched_at__isnull=True).order_by("date", "pk")
        movements = banking.cash_movements(fund)
    return render(
        request,
        "fund/admin/reconciliation.html",
        {
            "funds": funds,
            "fund": fund,
            "lines": Paginator(lines, PAGE_SIZE).get_page(request.GET.get("lines")),
            "movements": Paginator(movements, PAGE_SIZE).get_page(request.GET.get("movements")),
            "matched": BankStatementLine.objects.filter(fund=fund, matched_at__isnull=False)
            .prefetch_related("matches__transaction")
            .order_by("-date", "-pk")[:20]
            if fund
            else [],
            "periods": ReconciliationPeriod.objects.filter(fund=fund)[:12] if fund else [],
            "period_form": PeriodForm(),
            "page_title": _("Bank reconciliation"),
            "header_title": _("Bank reconciliation"),
        },
    )


@finance_only
def statement_import(request):
    form = StatementImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("Save the statement as CSV in UTF-8."))
        else:
            try:
                statement = banking.bank_statement_import(
                    fund=form.cleaned_data["fund"],
                    csv_text=text,
                    mapping=form.mapping(),
                    by=request.user,
                    filename=upload.name,
                )
            except banking.BankReconciliationError as exc:
                form.add_error(None, str(exc))
            else:
                unmatched = statement.lines.filter(matched_at__isnull=True).count()
                messages.success(
                    request,
                    _("Statement imported: %(n)s lines, %(u)s left to match.")
                    % {"n": statement.lines.count(), "u": unmatched},
                )
                return redirect(f"{_url('reconciliation')}?fund={statement.fund_id}")
    return render(
        request,
        "fund/admin/statement_import.html",
        {"form": form, "page_title": _("Import a bank statement"), "header_title": _("Import a bank statement")},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _url(name, *args):
    return reverse(f"fund_bank:{name}", args=args)


@finance_only
def line_match(request, pk):
    line = get_object_or_404(BankStatementLine.objects.select_related("fund"), pk=pk)
    window = banking.MATCH_WINDOW * 6
    candidates = banking.cash_movements(line.fund).filter(
        effective_date__range=(line.date - window, line.date + window)
    )[:100]
    if request.method == "POST":
        chosen = LedgerTransaction.objects.filter(pk__in=request.POST.getlist("transactions"), fund=line.fund)
        try:
            banking.bank_line_match(line=line, transactions=list(chosen), by=request.user)
        except banking.BankReconciliationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Line matched."))
            return redirect(f"{_url('reconciliation')}?fund={line.fund_id}")
    return render(
        request,
        "fund/admin/line_match.html",
        {
            "line": line,
            "candidates": candidates,
            "page_title": _("Match a bank line"),
            "header_title": _("Match a bank line"),
        },
    )


@finance_only
@require_POST
def line_unmatch(request, pk):
    line = get_object_or_404(BankStatementLine, pk=pk)
    try:
        banking.bank_line_unmatch(line=line, by=request.user)
    except banking.BankReconciliationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Line unmatched."))
    return redirect(f"{_url('reconciliation')}?fund={line.fund_id}")


@finance_only
@require_POST
def period_close(request, fund_pk):
    fund = get_object_or_404(Fund, pk=fund_pk)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the first and last day of the period."))
    else:
        try:
            banking.reconciliation_period_close(
                fund=fund, start=form.cleaned_data["start"], end=form.cleaned_data["end"], by=request.user
            )
        except banking.BankReconciliationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Period closed."))
    return redirect(f"{_url('reconciliation')}?fund={fund.pk}")
