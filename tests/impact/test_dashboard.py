"""The staff impact dashboard: who may see it, what it shows, its query budget, exports."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.impact.models import ImpactReport, Metric
from tests.factories.awards import ApprovedApplicationFactory
from tests.factories.impact import AwardRowFactory, bulk_reports, make_report

pytestmark = pytest.mark.django_db
URL = "/admin/impact/"


@pytest.fixture
def approved(award):
    kits = Metric.objects.get(key="naloxone-kits-distributed")
    peers = Metric.objects.get(key="peer-workers-employed")
    make_report(award, 1, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31), values={kits: 120, peers: 3})
    make_report(award, 2, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), values={kits: 80, peers: 4})
    make_report(
        award,
        3,
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        values={kits: 5000},
        status=ImpactReport.Status.SUBMITTED,
    )
    return award


def test_editor_and_grantee_cannot_open_the_dashboard(client, login, editor, member, approved):
    login(editor)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("impact_admin:export") + "?format=csv").status_code == 403
    login(member)
    assert client.get(URL).status_code in (302, 403)


def test_finance_sees_totals_trend_chart_and_table(client, login, finance, approved):
    login(finance)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Naloxone kits distributed" in body
    assert ">200<" in body  # 120 + 80; the submitted report's 5,000 does not count
    assert ">4<" in body  # peer workers: the latest approved report
    assert 'role="img"' in body and '<title id="trend-naloxone-kits-distributed-title">' in body
    assert "2025 Q1: 120 kits; 2025 Q2: 80 kits" in body  # the chart's description states the numbers
    assert "Equity" in body


def test_filters_narrow_the_totals(client, login, staff, approved):
    login(staff)
    body = client.get(URL, {"year": "2024"}).content.decode()
    assert "No approved reports match these filters yet." in body


def _awards(funding_round, n):
    return [AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round)) for _ in range(n)]


@pytest.mark.parametrize("count", [20, 2000])
def test_dashboard_query_budget(client, login, staff, funding_round, count, django_assert_max_num_queries):
    metrics = list(
        Metric.objects.filter(key__in=["naloxone-kits-distributed", "people-reached", "peer-workers-employed"])
    )
    bulk_reports(_awards(funding_round, 4), count, metrics)
    login(staff)
    client.get(URL)  # warm the session and Wagtail's per-process caches
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert response.status_code == 200
    assert ImpactReport.objects.count() == count


def test_annual_reports_page_for_finance_not_editor(client, login, finance, editor):
    login(finance)
    assert client.get(reverse("impact_admin:annual_list")).status_code == 200
    login(editor)
    assert client.get(reverse("impact_admin:annual_list")).status_code == 403


def test_csv_and_xlsx_exports(client, login, staff, approved):
    login(staff)
    response = client.get(reverse("impact_admin:export"), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Round", "Award", "Organisation"]
    assert len(rows) == 1 + 5
    assert {r[11] for r in rows[1:]} == {"120.00", "80.00", "3.00", "4.00", "5000.00"}
    response = client.get(reverse("impact_admin:export"), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 6
    assert Decimal(str(sheet.cell(row=2, column=12).value)) in {Decimal("120"), Decimal("3")}


def test_dashboard_figures_refresh_when_a_report_is_approved(award):
    from grants.impact import selectors

    kits = Metric.objects.get(key="naloxone-kits-distributed")
    make_report(award, 1, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31), values={kits: 10})
    pending = make_report(
        award,
        2,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        values={kits: 5},
        status=ImpactReport.Status.SUBMITTED,
    )
    assert selectors.dashboard_figures()["totals"][0]["total"] == Decimal("10.00")
    pending.status = ImpactReport.Status.APPROVED
    pending.save(update_fields=["status", "updated_at"])
    assert selectors.dashboard_figures()["totals"][0]["total"] == Decimal("15.00")


def test_metric_catalogue_admin_is_for_program_staff_only(client, login, staff, editor, finance):
    login(staff)
    response = client.get("/admin/impact_metrics/")
    assert response.status_code == 200 and "Naloxone kits distributed" in response.content.decode()
    for user in (editor, finance):
        login(user)
        assert client.get("/admin/impact_metrics/").status_code in (302, 403)
        assert client.get("/admin/impact_metrics/new/").status_code in (302, 403)
