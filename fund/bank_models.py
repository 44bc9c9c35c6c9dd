"""Bank reconciliation: statement lines imported from the bank, matched to the ledger's cash movements, and periods
closed once everything in them is matched. Re-exported by fund.models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.money import MoneyField


class BankStatement(models.Model):
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="bank_statements")
    filename = models.CharField(_("file"), max_length=200, blank=True)
    period_start = models.DateField(_("first line"))
    period_end = models.DateField(_("last line"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self):
        return f"{self.fund}: {self.period_start} – {self.period_end}"


class BankStatementLine(models.Model):
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    amount = MoneyField(_("amount (paid in +, paid out −)"))
    # The same line in an overlapping statement is the same line: (fund, fingerprint) is unique.
    fingerprint = models.CharField(max_length=64)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        constraints = [models.UniqueConstraint(fields=["fund", "fingerprint"], name="unique_bank_line_per_fund")]

    def __str__(self):
        return f"{self.date} {self.amount} {self.description}"

    @property
    def is_matched(self):
        return self.matched_at is not None


class BankLineMatch(models.Model):
    """A ledger transaction's cash movement explained by a bank line; a transaction is matched at most once."""

    line = models.ForeignKey(BankStatementLine, on_delete=models.PROTECT, related_name="matches")
    transaction = models.OneToOneField("fund.LedgerTransaction", on_delete=models.PROTECT, related_name="bank_match")
    amount = MoneyField(_("cash movement"))


class ReconciliationPeriod(models.Model):
    """A closed period: every bank line and every cash movement in it is matched; nothing in it changes again."""

    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="reconciliation_periods")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-end"]
        verbose_name = _("reconciliation period")
        verbose_name_plural = _("reconciliation periods")
        constraints = [models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="period_in_order")]
