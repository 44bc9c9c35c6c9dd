"""Bank reconciliation: finance imports the bank statement (CSV), lines are matched to the ledger's cash movements
(Stripe payouts, grant payments, offline gifts and pledge instalments, sales of securities, returns), what does not
match is listed on both sides, and a period is closed once everything in it is matched.

Column mapping (docs/ledger.md): a header row, then one row per line. Columns are named by the mapping:
  date (required), description (required), reference (optional), and either one signed amount column (paid in
  positive, paid out negative) or a paid-in and a paid-out column. Dates as YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY.
  Amounts may have thousands separators, a currency sign, or parentheses for negatives.

A line's cash movement is matched to ledger transactions whose entries on the fund's cash account add up to it:
automatically (one transaction of that amount within five days, the nearest first; or a payment batch's grant payments
of one day adding up to the line), or by hand. A ledger transaction is matched once (a database constraint).
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import roles
from portal.audit import audit
from portal.money import ZERO, money

from .models import (
    Account,
    BankLineMatch,
    BankStatement,
    BankStatementLine,
    Entry,
    LedgerTransaction,
    ReconciliationPeriod,
)

MATCH_WINDOW = timedelta(days=5)
DATE_FORMATS = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}


class BankReconciliationError(Exception):
    """The import or match cannot be done; the message says what to fix (shown to finance)."""


@dataclass(frozen=True)
class ColumnMapping:
    date: str = "Date"
    description: str = "Description"
    amount: str = "Amount"
    paid_in: str = ""
    paid_out: str = ""
    reference: str = ""
    date_format: str = "iso"


def _require_finance(user):
    if not roles.is_finance(user):
        raise PermissionDenied(_("Only finance officers can reconcile the bank."))


def _amount(raw: str, row_number: int) -> Decimal:
    text = (raw or "").strip().replace(",", "").replace("$", "").replace("£", "").replace("€", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if not text:
        return ZERO
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BankReconciliationError(
            _("Row %(row)s: %(value)s is not an amount.") % {"row": row_number, "value": raw}
        ) from None
    if not value.is_finite():
        raise BankReconciliationError(_("Row %(row)s: %(value)s is not an amount.") % {"row": row_number, "value": raw})
    return money(-value if negative else value)


def parse_statement(csv_text: str, mapping: ColumnMapping) -> list[dict]:
    """Rows of a bank statement CSV as {date, description, reference, amount}. Raises BankReconciliationError."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    wanted = [mapping.date, mapping.description] + (
        [mapping.amount] if not (mapping.paid_in or mapping.paid_out) else [mapping.paid_in, mapping.paid_out]
    )
    missing = [c for c in wanted + ([mapping.reference] if mapping.reference else []) if c and c not in headers]
    if missing:
        raise BankReconciliationError(
            _("The file has no column named %(missing)s. Its columns are: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(headers) or _("none")}
        )
    fmt = DATE_FORMATS.get(mapping.date_format, DATE_FORMATS["iso"])
    rows = []
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            raise BankReconciliationError(
                _("Row %(row)s has more columns than the header (quote amounts that contain commas).") % {"row": number}
            )
        raw = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(raw.values()):
            continue
        try:
            day = datetime.strptime(raw[mapping.date], fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            raise BankReconciliationError(
                _("Row %(row)s: %(value)s is not a date in the chosen format.")
                % {"row": number, "value": raw[mapping.date]}
            ) from None
        if mapping.paid_in or mapping.paid_out:
            amount = _amount(raw.get(mapping.paid_in, ""), number) - abs(_amount(raw.get(mapping.paid_out, ""), number))
        else:
            amount = _amount(raw[mapping.amount], number)
        if amount == ZERO:
            continue
        rows.append(
            {
                "date": day,
                "description": raw[mapping.description][:300],
                "reference": raw.get(mapping.reference, "")[:120] if mapping.reference else "",
                "amount": amount,
            }
        )
    if not rows:
        raise BankReconciliationError(_("The file has no lines with an amount."))
    return rows


def closed_period_for(fund, day: date) -> ReconciliationPeriod | None:
    return ReconciliationPeriod.objects.filter(fund=fund, start__lte=day, end__gte=day).first()


@transaction.atomic
def bank_statement_import(*, fund, csv_text: str, mapping: ColumnMapping, by, filename: str = "") -> BankStatement:
    """Store a statement's lines (a line seen in an earlier, overlapping statement is not stored twice), then match
    what can be matched automatically. Lines dated in a closed period are refused."""
    _require_finance(by)
    rows = parse_statement(csv_text, mapping)
    for row in rows:
        if closed_period_for(fund, row["date"]):
            raise BankReconciliationError(
                _("The line of %(date)s falls in a closed period.") % {"date": row["date"].isoformat()}
            )
    statement = BankStatement.objects.create(
        fund=fund,
        filename=filename[:200],
        period_start=min(r["date"] for r in rows),
        period_end=max(r["date"] for r in rows),
        imported_by=by,
    )
    seen: dict[str, int] = {}
    created = 0
    for row in rows:
        key = f"{row['date']}|{row['amount']}|{row['description']}|{row['reference']}"
        seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()
        if BankStatementLine.objects.filter(fund=fund, fingerprint=fingerprint).exists():
            continue
        BankStatementLine.objects.create(statement=statement, fund=fund, fingerprint=fingerprint, **row)
        created += 1
    audit(statement, "reconciliation.statement.import", user=by, data={"lines": created, "file": filename})
    bank_lines_auto_match(fund=fund, by=by)
    return statement


# --- Matching ------------------------------------------------------------------------------------------------------


def cash_movements(fund, *, unmatched_only=True):
    """Ledger transactions of the fund that moved cash, each annotated with `cash` (their net on cash)."""
    qs = (
        LedgerTransaction.objects.filter(fund=fund, entries__account__kind=Account.Kind.CASH)
        .annotate(cash=Sum("entries__amount", filter=Q(entries__account__kind=Account.Kind.CASH)))
        .exclude(cash=0)
    )
    if unmatched_only:
        qs = qs.filter(bank_match__isnull=True)
    return qs.order_by("effective_date", "pk")


def _match(line, transactions, *, by):
    total = money(sum((t.cash for t in transactions), ZERO))
    if total != line.amount:
        raise BankReconciliationError(
            _("The chosen ledger items add up to %(total)s, the bank line is %(amount)s.")
            % {"total": total, "amount": line.amount}
        )
    for txn in transactions:
        BankLineMatch.objects.create(line=line, transaction=txn, amount=money(txn.cash))
    line.matched_by, line.matched_at = by, timezone.now()
    line.save(update_fields=["matched_by", "matched_at"])
    audit(line, "reconciliation.line.match", user=by, data={"transactions": [t.pk for t in transactions]})


def bank_lines_auto_match(*, fund, by) -> int:
    """Match unmatched lines to one ledger cash movement of the same amount within five days (nearest date first),
    or to a day's grant payments that add up to the line (a payment batch debited as one sum)."""
    matched = 0
    candidates = list(cash_movements(fund))
    for line in BankStatementLine.objects.filter(fund=fund, matched_at__isnull=True).order_by("date", "pk"):
        same = [
            t for t in candidates if money(t.cash) == line.amount and abs(t.effective_date - line.date) <= MATCH_WINDOW
        ]
        chosen = None
        if same:
            chosen = [min(same, key=lambda t: (abs(t.effective_date - line.date), t.pk))]
        elif line.amount < ZERO:
            by_day: dict[date, list] = {}
            for t in candidates:
                if (
                    t.kind == LedgerTransaction.Kind.DISBURSEMENT_PAID
                    and abs(t.effective_date - line.date) <= MATCH_WINDOW
                ):
                    by_day.setdefault(t.effective_date, []).append(t)
            for group in by_day.values():
                if len(group) > 1 and money(sum((t.cash for t in group), ZERO)) == line.amount:
                    chosen = group
                    break
        if chosen:
            with transaction.atomic():
                _match(line, chosen, by=by)
            candidates = [t for t in candidates if t not in chosen]
            matched += 1
    return matched


@transaction.atomic
def bank_line_match(*, line, transactions, by) -> BankStatementLine:
    """Finance matches a line by hand to ledger cash movements that add up to it."""
    _require_finance(by)
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.is_matched:
        raise BankReconciliationError(_("This line is already matched."))
    if closed_period_for(line.fund, line.date):
        raise BankReconciliationError(_("This line is in a closed period."))
    ids = [t.pk for t in transactions]
    chosen = list(cash_movements(line.fund).filter(pk__in=ids))
    if len(chosen) != len(set(ids)) or not chosen:
        raise BankReconciliationError(_("Choose ledger items of this fund that are not matched yet."))
    try:
        with transaction.atomic():
            _match(line, chosen, by=by)
    except IntegrityError:
        raise BankReconciliationError(_("One of these ledger items was just matched to another line.")) from None
    return line


@transaction.atomic
def bank_line_unmatch(*, line, by) -> BankStatementLine:
    _require_finance(by)
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if closed_period_for(line.fund, line.date):
        raise BankReconciliationError(_("This line is in a closed period."))
    line.matches.all().delete()
    line.matched_by, line.matched_at = None, None
    line.save(update_fields=["matched_by", "matched_at"])
    audit(line, "reconciliation.line.unmatch", user=by, data={})
    return line


# --- Periods -------------------------------------------------------------------------------------------------------


def period_problems(fund, start: date, end: date) -> list[str]:
    """Why [start, end] cannot be closed yet: unmatched lines, unmatched cash movements, overlap with a closed period."""
    problems = []
    if start > end:
        return [_("The period ends before it starts.")]
    if ReconciliationPeriod.objects.filter(fund=fund, start__lte=end, end__gte=start).exists():
        problems.append(_("It overlaps a period already closed."))
    lines = BankStatementLine.objects.filter(fund=fund, date__range=(start, end))
    if not lines.exists():
        problems.append(_("No bank statement lines were imported for it."))
    unmatched = lines.filter(matched_at__isnull=True).count()
    if unmatched:
        problems.append(_("%(n)s bank line(s) are not matched.") % {"n": unmatched})
    movements = cash_movements(fund).filter(effective_date__range=(start, end)).count()
    if movements:
        problems.append(_("%(n)s ledger cash movement(s) are not matched to the bank.") % {"n": movements})
    return problems


@transaction.atomic
def reconciliation_period_close(*, fund, start: date, end: date, by) -> ReconciliationPeriod:
    _require_finance(by)
    problems = period_problems(fund, start, end)
    if problems:
        raise BankReconciliationError(" ".join(str(p) for p in problems))
    period = ReconciliationPeriod.objects.create(fund=fund, start=start, end=end, closed_by=by)
    audit(period, "reconciliation.period.close", user=by, data={"start": start.isoformat(), "end": end.isoformat()})
    return period


def bank_balance_per_ledger(fund, until: date) -> Decimal:
    total = Entry.objects.filter(
        account__fund=fund, account__kind=Account.Kind.CASH, transaction__effective_date__lte=until
    ).aggregate(total=Sum("amount"))["total"]
    return money(total or 0)
