"""Grantee bank accounts in the three countries a fund pays in: what each needs, checked and normalised.

- US: ABA routing number (9 digits, checksum) and account number (4-17 digits); checking or savings.
- UK: sort code (6 digits) and account number (8 digits; 6- and 7-digit numbers are padded with zeros as banks do).
  Vocalink modulus checking needs Pay.UK's weight table; no maintained PyPI library ships it (schwifty validates IBANs
  and lists GB banks but has no UK modulus check), so only the format is checked here and the bank's own validation
  of the Bacs file is the backstop.
- Canada: institution number (3 digits), transit (branch) number (5 digits) and account number (7-12 digits).

`bank_code` is what the payment file routes by, stored encrypted in BankDetails.routing_number_encrypted: the ABA
number (US), the sort code (UK), or institution + transit as 8 digits "IIITTTTT" (Canada).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

COUNTRIES = ("US", "UK", "CA")


class BankAccountError(ValueError):
    """The account cannot be used; the message says which field and why (shown to the grantee)."""


@dataclass(frozen=True)
class BankAccount:
    country: str
    bank_code: str
    account_number: str

    @property
    def masked_bank_code(self) -> str:
        if self.country == "UK":
            return f"{self.bank_code[:2]}-••-••"
        if self.country == "CA":
            return f"•••-{self.bank_code[3:]}"  # the branch (transit) is not secret; the institution is shown masked
        return f"•••••{self.bank_code[-4:]}"

    @property
    def display_bank_code(self) -> str:
        if self.country == "UK":
            return f"{self.bank_code[:2]}-{self.bank_code[2:4]}-{self.bank_code[4:]}"
        if self.country == "CA":
            return f"{self.bank_code[:3]}-{self.bank_code[3:]}"
        return self.bank_code


def _digits(value) -> str:
    return re.sub(r"[\s-]", "", str(value or ""))


def aba_routing_valid(routing: str) -> bool:
    if not re.fullmatch(r"\d{9}", routing or ""):
        return False
    d = [int(c) for c in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def bank_account(
    *, country: str, account_number, routing_number="", sort_code="", institution_number="", transit_number=""
) -> BankAccount:
    """Check and normalise an account for `country`. Raises BankAccountError."""
    account = _digits(account_number)
    if country == "US":
        routing = _digits(routing_number)
        if not aba_routing_valid(routing):
            raise BankAccountError(_("Enter a valid 9-digit routing number."))
        if not re.fullmatch(r"\d{4,17}", account):
            raise BankAccountError(_("Enter the account number: 4 to 17 digits."))
        return BankAccount("US", routing, account)
    if country == "UK":
        sort = _digits(sort_code)
        if not re.fullmatch(r"\d{6}", sort):
            raise BankAccountError(_("Enter the sort code: 6 digits, e.g. 20-00-00."))
        if not re.fullmatch(r"\d{6,8}", account):
            raise BankAccountError(_("Enter the account number: 8 digits."))
        return BankAccount("UK", sort, account.rjust(8, "0"))
    if country == "CA":
        institution, transit = _digits(institution_number), _digits(transit_number)
        if not re.fullmatch(r"\d{3}", institution):
            raise BankAccountError(_("Enter the institution number: 3 digits."))
        if not re.fullmatch(r"\d{5}", transit):
            raise BankAccountError(_("Enter the transit (branch) number: 5 digits."))
        if not re.fullmatch(r"\d{7,12}", account):
            raise BankAccountError(_("Enter the account number: 7 to 12 digits."))
        return BankAccount("CA", institution + transit, account)
    raise BankAccountError(_("Choose the country of the bank account."))
