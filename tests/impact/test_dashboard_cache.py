"""The dashboard's cached figures and compliance counts follow every report change, and overdue follows the date."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from grants.impact import selectors
from grants.impact.models import ImpactReport, Metric
from tests.factories.impact import make_report

pytestmark = pytest.mark.django_db


def test_compliance_counts_refresh_when_a_report_is_submitted(award):
    kits = Metric.objects.get(key="naloxone-kits-distributed")
    report = make_report(
        award,
        1,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        values={kits: 10},
        status=ImpactReport.Status.DRAFT,
    )
    report.due_date = date(2099, 1, 1)
    report.save(update_fields=["due_date"])
    before = selectors.dashboard_compliance()
    report.status = ImpactReport.Status.SUBMITTED
    report.save(update_fields=["status", "updated_at"])
    after = selectors.dashboard_compliance()
    assert after["submitted"] == before["submitted"] + 1


def test_a_report_becomes_overdue_in_the_cached_counts_when_the_day_passes(award):
    kits = Metric.objects.get(key="naloxone-kits-distributed")
    report = make_report(
        award,
        1,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        values={kits: 10},
        status=ImpactReport.Status.DUE,
    )
    report.due_date = date(2030, 6, 1)
    report.save(update_fields=["due_date"])
    # Late afternoon of the due date and of the next day, in the fund's time zone (whatever TIME_ZONE is).
    with time_machine.travel(timezone.make_aware(datetime(2030, 6, 1, 17, 0)), tick=False):
        assert selectors.dashboard_compliance()["overdue"] == 0
    with time_machine.travel(timezone.make_aware(datetime(2030, 6, 2, 17, 0)), tick=False):
        assert selectors.dashboard_compliance()["overdue"] == 1
