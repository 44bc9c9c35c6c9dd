"""One escaping rule for every file a spreadsheet may open (portal.spreadsheets): every export, run with a formula in
every field a user can write, holds no cell a spreadsheet would run."""

import csv
import io
import pathlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants.awards.bacs import BacsCredit, build_bacs_csv
from grants.awards.models import Tranche
from grants.awards.payments import disbursement_approve, disbursement_prepare, payment_batch_create, payment_batch_csv
from grants.awards.services import award_accept, bank_details_set
from portal import roles
from portal.spreadsheets import is_formula, safe_cell
from tests.factories.applicants import OrganisationFactory
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, grantee_owner, make_award
from tests.factories.cms import make_public_grant, make_site
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory
from tests.factories.grants import ApplicationFactory, FundingRoundFactory

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
ROOT = pathlib.Path(__file__).resolve().parents[2]


def csv_cells(text):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(content):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


def assert_no_formula(cells, payloads=PAYLOADS):
    for payload in payloads:
        assert any(isinstance(c, str) and payload.strip() in c for c in cells), f"{payload!r} should reach the file"
    assert [c for c in cells if is_formula(c)] == []


def test_the_rule_escapes_formula_text_and_keeps_numbers():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("\t=1") == "'\t=1" and safe_cell("\r=1") == "'\r=1"
    assert safe_cell("@A1") == "'@A1" and safe_cell("+A1") == "'+A1" and safe_cell("-A1") == "'-A1"
    assert safe_cell("-12.50") == "-12.50" and safe_cell("+3") == "+3"  # a number written as text stays a number
    assert safe_cell(Decimal("-12.50")) == Decimal("-12.50") and safe_cell(-4) == -4
    assert safe_cell("Northside") == "Northside" and safe_cell("") == "" and safe_cell(None) is None


def test_every_module_that_writes_a_spreadsheet_uses_the_one_rule():
    writers = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        if "csv.writer(" in text or "Workbook(" in text:
            writers.append(path.relative_to(ROOT).as_posix())
    assert "grants/awards/payments.py" in writers
    # Bacs has no apostrophe in its character set: bacs_text drops a leading hyphen instead (tested below).
    missing = [
        p for p in writers if "portal.spreadsheets" not in (ROOT / p).read_text() and p != "grants/awards/bacs.py"
    ]
    assert missing == []


@pytest.mark.parametrize(("legal_name", "account_name"), [(PAYLOADS[0], PAYLOADS[4]), (PAYLOADS[2], PAYLOADS[3])])
def test_payment_batch_csv_escapes_the_payee_and_grantee_names(legal_name, account_name, mfa_user_factory):
    staff = mfa_user_factory(roles.PROGRAM_STAFF)
    finance_1, finance_2 = mfa_user_factory(roles.FINANCE), mfa_user_factory(roles.FINANCE)
    fund = fund_with_money(FundFactory(jurisdiction="US", currency="USD"), "100000.00")
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("50000.00"))
    application = ApprovedApplicationFactory(
        round=funding_round, organisation=OrganisationFactory(legal_name=legal_name)
    )
    owner = grantee_owner(application.organisation, first_name="Ana", last_name="Ruiz")
    award = make_award(application=application, amount="1000.00", by=staff)
    award_accept(award=award, by=owner, typed_name="Ana Ruiz", agreed=True, ip="198.51.100.7")
    bank_details_set(
        organisation=application.organisation,
        by=owner,
        country="US",
        account_name=account_name,
        routing_number="011000015",
        account_number="123456789",
    )
    Tranche.objects.filter(award=award).update(due_date=timezone.localdate() - timedelta(days=1))
    for tranche in award.tranches.all():
        disbursement_approve(disbursement=disbursement_prepare(tranche=tranche, by=finance_1), by=finance_2)
    batch = payment_batch_create(fund=fund, by=finance_1)

    cells = csv_cells(payment_batch_csv(batch=batch, by=finance_2))

    assert_no_formula(cells, [legal_name, account_name])


def test_bacs_file_drops_a_leading_hyphen_it_cannot_escape():
    text = build_bacs_csv(
        [BacsCredit("200000", "55779911", "-A1 Harm Reduction", Decimal("10.00"), "-GRANT 2026")],
        processing_date=date(2026, 12, 1),
    )
    cells = csv_cells(text)
    assert "A1 HARM REDUCTION" in cells and "GRANT 2026" in cells
    assert [c for c in cells if is_formula(c)] == []


def test_open_data_csv_escapes_every_text_field(client, db):
    make_site()
    for payload in PAYLOADS:
        make_public_grant(
            title=payload, summary=payload, organisation=OrganisationFactory(legal_name=payload, operating_name=payload)
        )
    assert_no_formula(csv_cells(client.get("/open-data/grants.csv").content.decode()))


def test_donation_exports_escape_donor_typed_text(client, login, mfa_user_factory):
    for payload in PAYLOADS:
        DonationFactory(donor=DonorFactory(name=payload, email=f"{payload}@example.org"))
    login(mfa_user_factory(roles.FINANCE))
    csv_text = b"".join(client.get("/admin/donations/export/csv/").streaming_content).decode()
    assert_no_formula(csv_cells(csv_text))
    assert_no_formula(xlsx_cells(client.get("/admin/donations/export/xlsx/").content))


def test_application_exports_escape_applicant_typed_text(client, login, mfa_user_factory):
    for payload in PAYLOADS:
        ApplicationFactory(title=payload, organisation=OrganisationFactory(legal_name=payload, operating_name=payload))
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    url = reverse("grants_admin:application_list")
    csv_text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    assert_no_formula(csv_cells(csv_text))
    assert_no_formula(xlsx_cells(client.get(url, {"export": "xlsx"}).content))
