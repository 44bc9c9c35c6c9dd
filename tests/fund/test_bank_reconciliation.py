"""Bank reconciliation through the finance screens: import a statement, match, list what is left, close a period."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fund import banking
from fund import services as ledger
from fund.models import BankStatementLine, ReconciliationPeriod
from portal import roles
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


@pytest.fixture
def movements(fund):
    """Cash movements of a month: a Stripe payout in, an offline gift in, two grant payments out on one day."""
    today = timezone.localdate()
    day = today - timedelta(days=20)
    ledger.ledger_record_donation(
        fund=fund, amount=Decimal("5000.00"), source=UserFactory(), clearing_account="cash", effective_date=day
    )
    ledger.ledger_record_donation(fund=fund, amount=Decimal("1200.00"), source=UserFactory(), effective_date=day)
    payout = ledger.ledger_record_payout(
        fund=fund, amount=Decimal("1200.00"), source=UserFactory(), effective_date=day + timedelta(days=2)
    )
    for amount in ("300.00", "450.50"):
        ledger.ledger_record_award_committed(fund=fund, amount=Decimal(amount), source=UserFactory())
        ledger.ledger_record_disbursement_paid(
            fund=fund, amount=Decimal(amount), source=UserFactory(), effective_date=day + timedelta(days=5)
        )
    return {"day": day, "payout": payout}


def statement(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Date", "Description", "Paid in", "Paid out", "Reference"])
    writer.writerows(rows)
    return SimpleUploadedFile("statement.csv", out.getvalue().encode(), content_type="text/csv")


def import_form(fund, upload, **overrides):
    data = {
        "fund": fund.pk,
        "file": upload,
        "date_column": "Date",
        "description_column": "Description",
        "amount_column": "",
        "paid_in_column": "Paid in",
        "paid_out_column": "Paid out",
        "reference_column": "Reference",
        "date_format": "dmy",
    }
    data.update(overrides)
    return data


def test_finance_imports_a_statement_matches_it_and_closes_the_period(client, login, fund, movements, finance):
    day = movements["day"]
    d = lambda offset: (day + timedelta(days=offset)).strftime("%d/%m/%Y")  # noqa: E731
    login(finance)
    rows = [
        (d(0), "CHQ DEPOSIT HOSPITAL", "5,000.00", "", "DEP1"),
        (d(3), "STRIPE PAYMENTS UK", "1200.00", "", "STRIPE"),
        (d(5), "ACH BATCH GRANTS", "", "750.50", "PB-1"),
        (d(6), "BANK SERVICE CHARGE", "", "12.00", ""),
    ]
    response = client.post("/admin/bank/import/", import_form(fund, statement(rows)))
    assert response.status_code == 302

    lines = {line.description: line for line in BankStatementLine.objects.filter(fund=fund)}
    assert lines["STRIPE PAYMENTS UK"].matches.get().transaction_id == movements["payout"].pk
    assert lines["ACH BATCH GRANTS"].matches.count() == 2  # one batch debit, two grant payments
    assert lines["CHQ DEPOSIT HOSPITAL"].is_matched
    assert not lines["BANK SERVICE CHARGE"].is_matched
    page = client.get(f"/admin/bank/?fund={fund.pk}").content.decode()
    assert "BANK SERVICE CHARGE" in page and "Every cash movement in the ledger is matched" in page

    close = {"start": day.isoformat(), "end": (day + timedelta(days=6)).isoformat()}
    client.post(f"/admin/bank/funds/{fund.pk}/close/", close)
    assert not ReconciliationPeriod.objects.exists()  # a bank line is still unmatched

    # A line matched wrongly is unmatched and matched by hand.
    client.post(f"/admin/bank/lines/{lines['CHQ DEPOSIT HOSPITAL'].pk}/unmatch/")
    assert not BankStatementLine.objects.get(pk=lines["CHQ DEPOSIT HOSPITAL"].pk).is_matched
    gift = banking.cash_movements(fund).get(cash=Decimal("5000.00"))
    client.post(f"/admin/bank/lines/{lines['CHQ DEPOSIT HOSPITAL'].pk}/match/", {"transactions": [gift.pk]})
    assert BankStatementLine.objects.get(pk=lines["CHQ DEPOSIT HOSPITAL"].pk).is_matched

    close_early = {"start": day.isoformat(), "end": (day + timedelta(days=5)).isoformat()}
    client.post(f"/admin/bank/funds/{fund.pk}/close/", close_early)
    period = ReconciliationPeriod.objects.get()
    assert (period.start, period.end) == (day, day + timedelta(days=5))
    # Nothing in a closed period changes again.
    refused = client.post(f"/admin/bank/lines/{lines['STRIPE PAYMENTS UK'].pk}/unmatch/", follow=True)
    assert "closed period" in refused.content.decode()
    assert BankStatementLine.objects.get(pk=lines["STRIPE PAYMENTS UK"].pk).is_matched


def test_importing_an_overlapping_statement_adds_only_new_lines(fund, movements, finance):
    day = movements["day"].isoformat()
    first = f"Date,Description,Amount\n{day},STRIPE,1200.00\n{day},FEE,-1.00\n{day},FEE,-1.00\n"
    mapping = banking.ColumnMapping()
    banking.bank_statement_import(fund=fund, csv_text=first, mapping=mapping, by=finance)
    banking.bank_statement_import(fund=fund, csv_text=first + f"{day},NEW,-2.00\n", mapping=mapping, by=finance)
    assert BankStatementLine.objects.filter(fund=fund).count() == 4


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("When,What,How much\n2026-01-01,x,1\n", "no column named"),
        ("Date,Description,Amount\n31/02/2026,x,1\n", "not a date"),
        ("Date,Description,Amount\n2026-01-01,x,lots\n", "not an amount"),
        ("Date,Description,Amount\n", "no lines"),
        ("Date,Description,Amount\n2026-01-01,x,1,000.00\n", "more columns than the header"),
    ],
)
def test_a_bad_statement_is_explained_never_a_500(client, login, fund, finance, csv_text, message):
    login(finance)
    upload = SimpleUploadedFile("s.csv", csv_text.encode(), content_type="text/csv")
    response = client.post(
        "/admin/bank/import/",
        import_form(
            fund,
            upload,
            amount_column="Amount",
            paid_in_column="",
            paid_out_column="",
            date_format="iso",
            reference_column="",
        ),
    )
    assert response.status_code == 400 and message in response.content.decode()


def test_only_finance_reconciles_the_bank(client, login, mfa_user_factory, fund):
    login(mfa_user_factory(roles.PROGRAM_STAFF))
    assert client.get("/admin/bank/").status_code == 403
    assert client.get("/admin/bank/import/").status_code == 403


def test_the_reconciliation_screen_has_a_flat_query_budget(
    client, login, fund, movements, finance, django_assert_max_num_queries
):
    login(finance)
    csv_text = "Date,Description,Amount\n" + "".join(
        f"{movements['day'].isoformat()},LINE {i},-{i}.00\n" for i in range(1, 40)
    )
    banking.bank_statement_import(fund=fund, csv_text=csv_text, mapping=banking.ColumnMapping(), by=finance)
    with django_assert_max_num_queries(30):
        assert client.get(f"/admin/bank/?fund={fund.pk}").status_code == 200
