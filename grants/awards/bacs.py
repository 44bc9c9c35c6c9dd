"""A Bacs-style bulk payment file for UK funds, as CSV (the upload format UK banks take for Bacs Direct Credits).

Pure functions over plain values, so a test parses what comes out. One header row, then one row per credit:

    sort_code, account_number, account_name, amount, reference, transaction_code, processing_date

- sort_code: 6 digits; account_number: 8 digits
- account_name: at most 18 characters of the Bacs character set (A-Z 0-9 . & / - and space), upper case
- amount: pounds with two decimals, more than zero, at most 20,000,000.00 (the Bacs limit per item)
- reference: 6 to 18 Bacs characters, not all the same character (Bacs refuses such references)
- transaction_code: 99 (a Bacs credit)
- processing_date: YYYY-MM-DD, a Bacs processing day (not a weekend or a bank holiday in England and Wales)

A last row "TOTAL" carries the number of credits and their sum, which the bank's upload screen shows for checking.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

HEADER = ["sort_code", "account_number", "account_name", "amount", "reference", "transaction_code", "processing_date"]
CREDIT = "99"
MAX_AMOUNT = Decimal("20000000.00")


@dataclass(frozen=True)
class BacsCredit:
    sort_code: str
    account_number: str
    account_name: str
    amount: Decimal
    reference: str


def bacs_text(value, length) -> str:
    value = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode().upper()
    value = value.replace("'", "").replace("\u2019", "")
    # A leading hyphen would make a spreadsheet read the cell as a formula, and Bacs has no apostrophe to escape it
    # with (portal.spreadsheets): drop it.
    return re.sub(r"[^A-Z0-9.&/ -]", " ", value).lstrip("- ")[:length].rstrip()


def bacs_reference(value) -> str:
    ref = bacs_text(value, 18)
    if len(ref.replace(" ", "")) < 6 or len(set(ref)) == 1:
        raise ValueError(f"Bacs reference {value!r} needs 6 to 18 characters, not all the same.")
    return ref


def build_bacs_csv(credits: list[BacsCredit], *, processing_date: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    total = Decimal("0.00")
    for credit in credits:
        if not re.fullmatch(r"\d{6}", credit.sort_code) or not re.fullmatch(r"\d{8}", credit.account_number):
            raise ValueError("A Bacs credit needs a 6-digit sort code and an 8-digit account number.")
        if not (Decimal("0") < credit.amount <= MAX_AMOUNT):
            raise ValueError(f"Bacs amount {credit.amount} is out of range.")
        writer.writerow(
            [
                credit.sort_code,
                credit.account_number,
                bacs_text(credit.account_name, 18),
                f"{credit.amount:.2f}",
                bacs_reference(credit.reference),
                CREDIT,
                processing_date.isoformat(),
            ]
        )
        total += credit.amount
    writer.writerow(["TOTAL", str(len(credits)), "", f"{total:.2f}", "", "", processing_date.isoformat()])
    return out.getvalue()
