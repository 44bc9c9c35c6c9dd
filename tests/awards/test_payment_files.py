"""Payment files per country, parsed back and checked against each format's rules: NACHA (US), Bacs-style CSV (UK),
CPA-005 (Canada); and the banking days they settle on."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from grants.awards.banking_days import ca_holidays, is_banking_day, next_banking_day, uk_holidays, us_holidays
from grants.awards.models import Tranche
from grants.awards.payments import (
    disbursement_approve,
    disbursement_prepare,
    payment_batch_bacs,
    payment_batch_cpa005,
    payment_batch_create,
    payment_batch_nacha,
)
from grants.awards.services import award_accept, bank_details_set
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, grantee_owner, make_award
from tests.factories.fund import FundFactory
from tests.factories.grants import FundingRoundFactory

pytestmark = pytest.mark.django_db


def make_fund(jurisdiction, currency, **fields):
    fund = FundFactory(jurisdiction=jurisdiction, currency=currency, **fields)
    return fund_with_money(fund, "100000.00")


def approved_payments(fund, staff, finance_1, finance_2, payees):
    """One accepted award per payee (amount, bank details kwargs), each tranche approved by the second officer."""
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("100000.00"))
    for amount, account in payees:
        application = ApprovedApplicationFactory(round=funding_round)
        owner = grantee_owner(application.organisation, first_name="Ana", last_name="Ruiz")
        award = make_award(application=application, amount=amount, by=staff)
        award_accept(award=award, by=owner, typed_name="Ana Ruiz", agreed=True, ip="198.51.100.7")
        bank_details_set(organisation=application.organisation, by=owner, **account)
        Tranche.objects.filter(award=award).update(due_date=timezone.localdate() - timedelta(days=1))
        for tranche in award.tranches.all():
            disbursement_approve(disbursement=disbursement_prepare(tranche=tranche, by=finance_1), by=finance_2)


def us_account(routing, account="123456789", name="Northside Drop-In Centre"):
    return {"country": "US", "account_name": name, "routing_number": routing, "account_number": account}


# --- Banking days ----------------------------------------------------------------------------------------------------


def test_federal_reserve_holidays_2026():
    assert sorted(us_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 4),  # a Saturday: the Federal Reserve does not move it
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]
    assert date(2027, 7, 5) in us_holidays(2027)  # July 4th 2027 is a Sunday: observed Monday


def test_bacs_and_payments_canada_holidays_with_substitute_days():
    assert {date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25), date(2026, 12, 28)} <= uk_holidays(2026)
    assert {date(2027, 12, 27), date(2027, 12, 28)} <= uk_holidays(2027)  # Christmas on a Saturday, Boxing Day Sunday
    assert {date(2026, 5, 18), date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 12)} <= ca_holidays(2026)


def test_next_banking_day_skips_weekends_and_holidays():
    assert next_banking_day(date(2026, 11, 26), "US") == date(2026, 11, 27)  # Thanksgiving -> Friday
    assert next_banking_day(date(2026, 12, 26), "UK") == date(2026, 12, 29)  # Saturday, then Boxing Day substitute
    assert next_banking_day(date(2026, 6, 30), "CA") == date(2026, 6, 30)
    assert not is_banking_day(date(2026, 7, 1), "CA")


# --- NACHA ----------------------------------------------------------------------------------------------------------


def nacha_lines(content):
    assert content.endswith("\n")
    return content[:-1].split("\n")


@pytest.fixture
def us_fund(db):
    return make_fund(
        "US", "USD", originating_bank_routing="031000503", originator_id="1123456789", originator_name="MILLBROOK"
    )


def test_nacha_creation_time_is_the_funds_and_files_of_a_day_get_modifiers_and_unique_traces(
    us_fund, staff, finance_1, finance_2, settings
):
    settings.NACHA_ODFI_ROUTING = "021000021"
    settings.NACHA_DESTINATION_ROUTING = "091000019"
    settings.NACHA_DESTINATION_NAME = "Federal Reserve Bank"
    approved_payments(us_fund, staff, finance_1, finance_2, [("1000.00", us_account("011000015"))])
    first = payment_batch_create(fund=us_fund, by=finance_1)
    approved_payments(us_fund, staff, finance_1, finance_2, [("2000.00", us_account("122105278"))])
    second = payment_batch_create(fund=us_fund, by=finance_1)

    files = [nacha_lines(payment_batch_nacha(batch=b, by=finance_2)) for b in (first, second)]

    for batch, lines in zip((first, second), files):
        header, batch_header = lines[0], lines[1]
        assert all(len(line) == 94 for line in lines) and len(lines) % 10 == 0
        local = timezone.localtime(batch.created_at)
        assert (header[23:29], header[29:33]) == (local.strftime("%y%m%d"), local.strftime("%H%M"))
        assert header[3:13] == " 091000019"  # Immediate Destination from settings
        assert header[40:63] == "FEDERAL RESERVE BANK".ljust(23)
        assert batch_header[79:87] == "02100002"  # ODFI from settings
        effective = date(2000 + int(batch_header[69:71]), int(batch_header[71:73]), int(batch_header[73:75]))
        assert effective >= local.date() and is_banking_day(effective, "US")
    assert [lines[0][33] for lines in files] == ["A", "B"]
    traces = [line[79:94] for lines in files for line in lines if line[0] == "6"]
    assert traces == ["021000020000001", "021000020000002"]


def test_nacha_file_id_modifiers_run_a_to_z_then_0_to_9(us_fund, staff, finance_1, finance_2):
    from grants.awards.models import PaymentFileCounter

    PaymentFileCounter.objects.create(fund=us_fund, day=timezone.localdate(), files=26, traces=40)
    approved_payments(us_fund, staff, finance_1, finance_2, [("100.00", us_account("011000015"))])
    batch = payment_batch_create(fund=us_fund, by=finance_1)
    assert batch.file_id_modifier == "0"
    assert batch.disbursements.get().trace_number.endswith("0000041")


@pytest.mark.parametrize(
    ("asked", "settles"),
    [
        (date(2026, 11, 28), date(2026, 11, 30)),  # a Saturday -> Monday
        (date(2026, 11, 26), date(2026, 11, 27)),  # Thanksgiving -> Friday
        (date(2026, 12, 24), date(2026, 12, 24)),
    ],
)
def test_nacha_effective_date_is_the_next_banking_day(us_fund, staff, finance_1, finance_2, asked, settles):
    with time_machine.travel(datetime(2026, 11, 20, 15, 0, tzinfo=timezone.get_current_timezone()), tick=False):
        approved_payments(us_fund, staff, finance_1, finance_2, [("100.00", us_account("011000015"))])
        batch = payment_batch_create(fund=us_fund, by=finance_1, effective_date=asked)
        lines = nacha_lines(payment_batch_nacha(batch=batch, by=finance_2))
    assert batch.effective_date == settles
    assert lines[1][69:75] == settles.strftime("%y%m%d")


# --- Bacs (UK) ------------------------------------------------------------------------------------------------------


def test_bacs_csv_follows_the_bacs_rules(staff, finance_1, finance_2):
    fund = make_fund("UK", "GBP")
    approved_payments(
        fund,
        staff,
        finance_1,
        finance_2,
        [
            (
                "2500.00",
                {
                    "country": "UK",
                    "account_name": "Zoë's Harm Reduction Library",
                    "sort_code": "20-00-00",
                    "account_number": "55779911",
                },
            ),
            (
                "1234.56",
                {
                    "country": "UK",
                    "account_name": "Riverside Recovery",
                    "sort_code": "309634",
                    "account_number": "1234567",
                },
            ),
        ],
    )
    batch = payment_batch_create(fund=fund, by=finance_1, effective_date=date(2026, 12, 25))

    rows = list(csv.reader(io.StringIO(payment_batch_bacs(batch=batch, by=finance_2))))

    header, *credits, total = rows
    assert header == [
        "sort_code",
        "account_number",
        "account_name",
        "amount",
        "reference",
        "transaction_code",
        "processing_date",
    ]
    assert len(credits) == 2
    for sort_code, account, name, amount, reference, code, processing in credits:
        assert re.fullmatch(r"\d{6}", sort_code) and re.fullmatch(r"\d{8}", account)
        assert len(name) <= 18 and re.fullmatch(r"[A-Z0-9.&/ -]+", name)
        assert re.fullmatch(r"\d+\.\d{2}", amount) and Decimal(amount) > 0
        assert 6 <= len(reference) <= 18 and re.fullmatch(r"[A-Z0-9.&/ -]+", reference)
        assert code == "99"
        day = date.fromisoformat(processing)
        assert is_banking_day(day, "UK") and day >= timezone.localdate()
    assert [c[0] for c in credits] == ["200000", "309634"] or [c[0] for c in credits] == ["309634", "200000"]
    assert "01234567" in [c[1] for c in credits]  # a 7-digit account padded as banks do
    assert "ZOES HARM REDUCTIO" in [c[2] for c in credits]
    assert total[:2] == ["TOTAL", "2"] and Decimal(total[3]) == sum(Decimal(c[3]) for c in credits) == batch.total


def test_uk_bank_details_are_checked(application, owner):
    from grants.awards.services import AwardError

    for bad, message in [
        ({"sort_code": "20-00", "account_number": "55779911"}, "sort code"),
        ({"sort_code": "200000", "account_number": "12345"}, "8 digits"),
    ]:
        with pytest.raises(AwardError, match=message):
            bank_details_set(organisation=application.organisation, by=owner, country="UK", account_name="X", **bad)


# --- CPA-005 (Canada) -----------------------------------------------------------------------------------------------


def cpa_fund():
    return make_fund(
        "CA",
        "CAD",
        legal_name="Millbrook Resilience Society",
        originator_id="MRSOC00001",
        originator_name="MILLBROOK RES",
        originating_bank_routing="000112345",
        originating_account="4455667",
    )


def julian_to_date(value):
    assert value[0] == "0"
    return date(2000 + int(value[1:3]), 1, 1) + timedelta(days=int(value[3:6]) - 1)


def parse_cpa(content):
    assert content.endswith("\r\n")
    return content[:-2].split("\r\n")


def test_cpa005_records_segments_and_totals(staff, finance_1, finance_2):
    fund = cpa_fund()
    accounts = [
        (
            "1500.00",
            {
                "country": "CA",
                "account_name": "Cercle de guérison",
                "institution_number": "815",
                "transit_number": "30001",
                "account_number": "1234567",
            },
        ),
        (
            "2750.25",
            {
                "country": "CA",
                "account_name": "Harbour Point Outreach",
                "institution_number": "003",
                "transit_number": "00012",
                "account_number": "987654321012",
            },
        ),
    ]
    approved_payments(fund, staff, finance_1, finance_2, accounts)
    first = payment_batch_create(fund=fund, by=finance_1, effective_date=date(2027, 7, 1))
    records = parse_cpa(payment_batch_cpa005(batch=first, by=finance_2))

    assert all(len(r) == 1464 for r in records)
    assert [r[0] for r in records] == ["A", "C", "Z"]
    assert [int(r[1:10]) for r in records] == [1, 2, 3]
    assert {r[10:20] for r in records} == {"MRSOC00001"}
    assert {r[20:24] for r in records} == {f"{first.file_creation_number:04d}"}
    header, credit, trailer = records
    assert julian_to_date(header[24:30]) == timezone.localtime(first.created_at).date()
    assert header[30:35] == "00310" and header[55:58] == "CAD"
    segments = [credit[24 + i * 240 : 24 + (i + 1) * 240] for i in range(6)]
    used = [s for s in segments if s.strip()]
    assert len(used) == 2 and all(not s.strip() for s in segments[2:])
    for segment in used:
        assert segment[0:3] == "450"
        due = julian_to_date(segment[13:19])
        assert due == first.effective_date and is_banking_day(due, "CA")
        assert re.fullmatch(r"0\d{3}\d{5}", segment[19:28])
        assert segment[28:40].strip().isdigit()
        assert segment[40:62] == "0" * 22
        assert segment[169:178] == "000112345" and segment[178:190].strip() == "4455667"
    assert first.effective_date == date(2027, 7, 2)  # Canada Day -> the next banking day
    amounts = sorted(int(s[3:13]) for s in used)
    assert amounts == [150000, 275025]
    assert {s[19:28] for s in used} == {"081530001", "000300012"}
    assert "CERCLE DE GUERISON" in {s[80:110].strip() for s in used}
    assert {s[110:140].strip() for s in used} == {"MILLBROOK RESILIENCE SOCIETY"}
    assert (int(trailer[24:38]), int(trailer[38:46])) == (0, 0)
    assert (int(trailer[46:60]), int(trailer[60:68])) == (sum(amounts), 2)

    approved_payments(fund, staff, finance_1, finance_2, [("10.00", accounts[0][1])])
    second = payment_batch_create(fund=fund, by=finance_1)
    assert second.file_creation_number == first.file_creation_number + 1


def test_canadian_bank_details_are_checked(application, owner):
    from grants.awards.services import AwardError

    with pytest.raises(AwardError, match="transit"):
        bank_details_set(
            organisation=application.organisation,
            by=owner,
            country="CA",
            account_name="X",
            institution_number="815",
            transit_number="3000",
            account_number="1234567",
        )
