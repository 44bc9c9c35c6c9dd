"""The annual impact report PDF: built by a task, downloadable, with the money and every metric total in its text."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from grants.impact.models import AnnualReport, Metric, Story
from tests.factories.impact import make_report

pytestmark = pytest.mark.django_db


def _text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def year_of_money(fund):
    """2025: $60,000 raised, $25,000 granted, $10,000 paid; plus 2024 money that must not count."""
    from fund.services import ledger_record_award_committed, ledger_record_disbursement_paid, ledger_record_donation
    from tests.factories.portal import UserFactory

    ledger_record_donation(
        fund=fund,
        amount=Decimal("5000.00"),
        source=UserFactory(),
        clearing_account="cash",
        memo="2024 gift",
        effective_date=date(2024, 6, 1),
    )
    ledger_record_donation(
        fund=fund,
        amount=Decimal("60000.00"),
        source=UserFactory(),
        clearing_account="cash",
        memo="gift",
        effective_date=date(2025, 3, 1),
    )
    ledger_record_award_committed(
        fund=fund, amount=Decimal("25000.00"), source=UserFactory(), memo="award", effective_date=date(2025, 3, 2)
    )
    ledger_record_disbursement_paid(
        fund=fund, amount=Decimal("10000.00"), source=UserFactory(), memo="paid", effective_date=date(2025, 9, 1)
    )
    return fund


def test_annual_report_pdf_has_money_and_metric_totals(
    client, login, staff, award, year_of_money, django_capture_on_commit_callbacks
):
    kits = Metric.objects.get(key="naloxone-kits-distributed")
    people = Metric.objects.get(key="people-reached")
    peers = Metric.objects.get(key="peer-workers-employed")
    make_report(
        award,
        1,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        values={kits: 1200, people: 340, peers: 3},
    )
    r2 = make_report(
        award, 2, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), values={kits: 1034, people: 95, peers: 5}
    )
    make_report(award, 3, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), values={kits: 999999})
    Story.objects.create(
        report=r2, title="A night at the van", text="Forty kits went out before midnight.", consent_to_publish=True
    )
    Story.objects.create(report=r2, title="Private story", text="Not for print.", consent_to_publish=False)
    login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("impact_admin:annual_request"), {"year": "2025"})
    assert response.status_code == 302
    job = AnnualReport.objects.get()
    assert job.status == AnnualReport.Status.DONE  # immediate task backend in tests
    download = client.get(reverse("impact_admin:annual_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    text = _text(b"".join(download.streaming_content))
    assert "$60,000.00" in text and "$25,000.00" in text and "$10,000.00" in text
    assert "2,234" in text  # kits 1,200 + 1,034
    assert "435" in text  # people reached 340 + 95
    assert "Peer workers employed" in text and "A night at the van" in text
    assert "Private story" not in text and "999,999" not in text


def test_editor_cannot_request_or_download(client, login, editor, fund):
    login(editor)
    assert client.post(reverse("impact_admin:annual_request"), {"year": "2025"}).status_code == 403
    job = AnnualReport.objects.create(fund=fund, year=2025, status=AnnualReport.Status.DONE)
    assert client.get(reverse("impact_admin:annual_download", args=[job.pk])).status_code == 403
