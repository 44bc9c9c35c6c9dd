"""The ledger in the Wagtail admin, for finance and program staff (read only): listing, drill-down, CSV export."""

import csv
from functools import wraps

from django.db.models import Sum
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from portal.downloads import download_response
from portal.keyset import KeysetPaginator
from portal.money import ZERO, money
from portal.spreadsheets import safe_row

from .models import Account, Entry, Fund, LedgerTransaction
from .permissions import can_view_ledger
from .selectors import ledger_rows_for_export, ledger_transactions

PAGE_SIZE = 50
# Keyset orders (portal/keyset.py), each matched by an index: ledgertxn_fund_created_desc, entry_account_txn_desc.
LEDGER_ORDER = ("-created_at", "-pk")
ACCOUNT_ORDER = ("-transaction_id", "-pk")


def ledger_readers_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        allowed, reason = can_view_ledger(request.user)
        if not allowed:
            return render(
                request,
                "fund/admin/forbidden.html",
                {"reason": reason, "page_title": _("Not allowed"), "header_title": _("Not allowed")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def source_url(txn):
    """Where a transaction's source object can be seen, asked of the apps through the "ledger_source_url" hook."""
    from wagtail import hooks

    for fn in hooks.get_hooks("ledger_source_url"):
        url = fn(txn.source_type, txn.source_id)
        if url:
            return url
    return None


@ledger_readers_only
def ledger(request):
    funds = list(Fund.objects.order_by("name"))
    fund = next((f for f in funds if str(f.pk) == request.GET.get("fund")), funds[0] if funds else None)
    kind = request.GET.get("kind", "")
    qs = ledger_transactions(fund) if fund else LedgerTransaction.objects.none()
    if kind in LedgerTransaction.Kind.values:
        qs = qs.filter(kind=kind)
    page = KeysetPaginator(qs, ordering=LEDGER_ORDER, per_page=PAGE_SIZE).page(request.GET)
    return render(
        request,
        "fund/admin/ledger.html",
        {
            "funds": funds,
            "fund": fund,
            "kind": kind,
            "kinds": LedgerTransaction.Kind.choices,
            "page": page,
            "page_title": _("Ledger"),
            "header_title": _("Ledger"),
        },
    )


@ledger_readers_only
def account_detail(request, pk):
    """One account's postings, newest transaction first (keyset pages), and its balance: the signed sum of all its
    entries (debit +), as fund.ledger.account_balances computes it."""
    account = get_object_or_404(Account.objects.select_related("fund", "campaign"), pk=pk)
    entries = Entry.objects.filter(account=account).select_related("transaction")
    page = KeysetPaginator(entries, ordering=ACCOUNT_ORDER, per_page=PAGE_SIZE).page(request.GET)
    for entry in page:
        entry.debit = entry.amount if entry.amount > 0 else None
        entry.credit = -entry.amount if entry.amount < 0 else None
    balance = money(Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or ZERO)
    return render(
        request,
        "fund/admin/account.html",
        {
            "account": account,
            "fund": account.fund,
            "balance": balance,
            "page": page,
            "page_title": str(account),
            "header_title": str(account),
        },
    )


@ledger_readers_only
def transaction_detail(request, pk):
    txn = get_object_or_404(LedgerTransaction.objects.select_related("fund", "created_by", "reverses"), pk=pk)
    entries = list(txn.entries.select_related("account__campaign").order_by("-amount"))
    for entry in entries:
        entry.debit = entry.amount if entry.amount > 0 else None
        entry.credit = -entry.amount if entry.amount < 0 else None
    related = LedgerTransaction.objects.filter(group=txn.group).exclude(pk=txn.pk).order_by("pk")
    return render(
        request,
        "fund/admin/transaction_detail.html",
        {
            "txn": txn,
            "entries": entries,
            "related": related,
            "source_url": source_url(txn) if txn.source_type else None,
            "page_title": _("Ledger transaction #%(pk)s") % {"pk": txn.pk},
            "header_title": _("Ledger transaction #%(pk)s") % {"pk": txn.pk},
        },
    )


class _Echo:
    def write(self, value):
        return value


@ledger_readers_only
def ledger_csv(request, fund_pk):
    fund = get_object_or_404(Fund, pk=fund_pk)
    writer = csv.writer(_Echo())
    header = [
        _("Date"),
        _("Transaction"),
        _("Kind"),
        _("Memo"),
        _("Source"),
        _("Account"),
        _("Campaign"),
        _("Debit"),
        _("Credit"),
    ]

    def rows():
        yield writer.writerow(header)
        for row in ledger_rows_for_export(fund):
            # Memos can hold donor-typed text: stop spreadsheet formula injection.
            yield writer.writerow(safe_row(row))

    return download_response(rows(), filename=f"ledger-{fund.slug}.csv", content_type="text/csv")
