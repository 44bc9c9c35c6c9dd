"""NACHA (ACH) file writer for CCD credits: fixed 94-character records, blocked by 10 with 9-filled lines.

Pure functions over plain values so a test can parse what comes out. Only credits (service class 220).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

RECORD = 94
BLOCKING = 10


@dataclass(frozen=True)
class AchEntry:
    routing_number: str  # 9 digits
    account_number: str
    account_type: str  # "checking" | "savings"
    amount_cents: int
    receiver_id: str  # our reference, e.g. the disbursement id
    receiver_name: str
    trace_number: str  # 15 digits


@dataclass(frozen=True)
class AchBatch:
    destination_routing: str  # the Immediate Destination: the bank (or its processor) that receives the file
    destination_name: str
    odfi_routing: str  # the originating bank (ODFI): its first 8 digits lead every trace number
    origin_id: str  # 10 characters, e.g. "1" + EIN
    company_name: str
    entry_description: str
    effective_date: date
    entries: list
    file_id_modifier: str = "A"
    batch_number: int = 1


def _text(value, length) -> str:
    value = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode().upper()
    value = re.sub(r"[^A-Z0-9 .,&/-]", " ", value)
    return value[:length].ljust(length)


def _num(value, length) -> str:
    digits = str(int(value))
    if len(digits) > length:
        raise ValueError(f"{value} does not fit in {length} digits")
    return digits.rjust(length, "0")


def _line(*fields) -> str:
    line = "".join(fields)
    if len(line) != RECORD:
        raise ValueError(f"NACHA record is {len(line)} characters, not {RECORD}: {line!r}")
    return line


def entry_hash(routing_numbers) -> str:
    """Sum of the 8-digit receiving bank ids, last 10 digits."""
    return _num(sum(int(r[:8]) for r in routing_numbers) % 10**10, 10)


def build_nacha(batch: AchBatch, *, created_at: datetime) -> str:
    """`created_at` is in the fund's local time: File Creation Date and Time are the originator's."""
    odfi = batch.odfi_routing[:8]
    lines = [
        _line(
            "1",
            "01",
            " " + batch.destination_routing,
            _text(batch.origin_id, 10),
            created_at.strftime("%y%m%d"),
            created_at.strftime("%H%M"),
            batch.file_id_modifier,
            "094",
            "10",
            "1",
            _text(batch.destination_name, 23),
            _text(batch.company_name, 23),
            " " * 8,
        ),
        _line(
            "5",
            "220",
            _text(batch.company_name, 16),
            " " * 20,
            _text(batch.origin_id, 10),
            "CCD",
            _text(batch.entry_description, 10),
            batch.effective_date.strftime("%y%m%d"),
            batch.effective_date.strftime("%y%m%d"),
            "   ",
            "1",
            odfi,
            _num(batch.batch_number, 7),
        ),
    ]
    total = 0
    for entry in batch.entries:
        code = "32" if entry.account_type == "savings" else "22"
        lines.append(
            _line(
                "6",
                code,
                entry.routing_number[:8],
                entry.routing_number[8],
                _text(entry.account_number, 17),
                _num(entry.amount_cents, 10),
                _text(entry.receiver_id, 15),
                _text(entry.receiver_name, 22),
                "  ",
                "0",
                _num(entry.trace_number, 15),
            )
        )
        total += entry.amount_cents
    count = len(batch.entries)
    hash_ = entry_hash([e.routing_number for e in batch.entries])
    lines.append(
        _line(
            "8",
            "220",
            _num(count, 6),
            hash_,
            _num(0, 12),
            _num(total, 12),
            _text(batch.origin_id, 10),
            " " * 19,
            " " * 6,
            odfi,
            _num(batch.batch_number, 7),
        )
    )
    records = len(lines) + 1
    blocks = -(-records // BLOCKING)
    lines.append(_line("9", _num(1, 6), _num(blocks, 6), _num(count, 8), hash_, _num(0, 12), _num(total, 12), " " * 39))
    lines += ["9" * RECORD] * (blocks * BLOCKING - records)
    return "\n".join(lines) + "\n"
