"""CPA Standard 005 credit file for Canadian funds (Payments Canada's Automated Funds Transfer format).

Pure functions over plain values, so a test parses what comes out. Fixed 1464-character records: one "A" header, "C"
credit records each carrying up to six 240-character payment segments, one "Z" trailer. Every record starts with its
type, a 9-digit logical record count (1, 2, 3 ...), the 10-character originator id and the 4-digit file creation
number. Dates are "0YYDDD" (day of the year). Amounts are in cents, zero-filled.

Header A (after the common 24): creation date (6), destination data centre (5), communication area (20, blank),
currency (3: CAD), filler.
Payment segment (240): transaction type (3), amount (10), due date (6), institution id "0"+institution+transit (9),
payee account (12, left-justified), item trace number (22, zeros: the bank fills it), stored transaction type (3,
zeros), originator short name (15), payee name (30), originator long name (30), originator id (10), originator's
cross reference (19), return institution id (9), return account (12), sundry information (15), filler (22),
settlement code (2, blank), invalid data element id (11, zeros). Unused segments of a record are blank.
Trailer Z: total value (14) and number (8) of debits, then of credits, then four zero-filled error-correction totals
(14, 8, 14, 8), filler.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

RECORD = 1464
SEGMENT = 240
SEGMENTS_PER_RECORD = 6
TRANSACTION_TYPE = "450"  # miscellaneous payment (grants)


@dataclass(frozen=True)
class CpaCredit:
    institution: str  # 3 digits
    transit: str  # 5 digits
    account_number: str  # up to 12 digits
    amount_cents: int
    payee_name: str
    cross_reference: str


@dataclass(frozen=True)
class CpaFile:
    originator_id: str  # 10 characters, assigned by the bank
    file_creation_number: int  # 1-9999, one more than the last file the bank received
    destination_data_centre: str  # 5 digits
    originator_short_name: str
    originator_long_name: str
    return_institution: str  # 3 digits: the fund's own institution, for returned items
    return_transit: str  # 5 digits
    return_account: str
    currency: str
    due_date: date
    credits: list


def julian(day: date) -> str:
    return f"0{day:%y}{day.timetuple().tm_yday:03d}"


def _text(value, length) -> str:
    value = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode().upper()
    return re.sub(r"[^A-Z0-9 .,&/'-]", " ", value)[:length].ljust(length)


def _num(value, length) -> str:
    digits = str(int(value))
    if len(digits) > length:
        raise ValueError(f"{value} does not fit in {length} digits")
    return digits.rjust(length, "0")


def _record(*fields) -> str:
    line = "".join(fields)
    if len(line) > RECORD:
        raise ValueError(f"CPA-005 record is {len(line)} characters, more than {RECORD}")
    return line.ljust(RECORD)


def _segment(f: CpaFile, credit: CpaCredit) -> str:
    segment = "".join(
        [
            TRANSACTION_TYPE,
            _num(credit.amount_cents, 10),
            julian(f.due_date),
            "0" + _num(credit.institution, 3) + _num(credit.transit, 5),
            _text(credit.account_number, 12),
            "0" * 22,
            "000",
            _text(f.originator_short_name, 15),
            _text(credit.payee_name, 30),
            _text(f.originator_long_name, 30),
            _text(f.originator_id, 10),
            _text(credit.cross_reference, 19),
            "0" + _num(f.return_institution, 3) + _num(f.return_transit, 5),
            _text(f.return_account, 12),
            " " * 15,
            " " * 22,
            "  ",
            "0" * 11,
        ]
    )
    assert len(segment) == SEGMENT, len(segment)
    return segment


def build_cpa005(f: CpaFile, *, created_on: date) -> str:
    common = lambda kind, count: kind + _num(count, 9) + _text(f.originator_id, 10) + _num(f.file_creation_number, 4)  # noqa: E731
    records = [
        _record(
            common("A", 1),
            julian(created_on),
            _num(f.destination_data_centre, 5),
            " " * 20,
            _text(f.currency, 3),
        )
    ]
    for start in range(0, len(f.credits), SEGMENTS_PER_RECORD):
        chunk = f.credits[start : start + SEGMENTS_PER_RECORD]
        records.append(_record(common("C", len(records) + 1), *(_segment(f, c) for c in chunk)))
    total = sum(c.amount_cents for c in f.credits)
    records.append(
        _record(
            common("Z", len(records) + 1),
            _num(0, 14),
            _num(0, 8),
            _num(total, 14),
            _num(len(f.credits), 8),
            _num(0, 14),
            _num(0, 8),
            _num(0, 14),
            _num(0, 8),
        )
    )
    return "\r\n".join(records) + "\r\n"
