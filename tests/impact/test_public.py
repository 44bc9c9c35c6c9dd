"""What the public impact page may show: aggregated totals, consented stories, no names of unnamed organisations."""

from datetime import date
from decimal import Decimal

import pytest

from grants.impact import selectors
from grants.impact.models import ImpactReport, Metric, Story
from tests.factories.applicants import OrganisationFactory
from tests.factories.awards import ApprovedApplicationFactory
from tests.factories.impact import AwardRowFactory, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(funding_round):
    kits = Metric.objects.get(key="naloxone-kits-distributed")
    hidden = OrganisationFactory(legal_name="Quiet Harbor Collective", publicly_named=False)
    named = OrganisationFactory(legal_name="Riverside Outreach")
    a = AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round, organisation=hidden))
    b = AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round, organisation=named))
    ra = make_report(a, 1, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31), values={kits: 300})
    rb = make_report(b, 1, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31), values={kits: 200})
    make_report(
        b,
        2,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        values={kits: 7000},
        status=ImpactReport.Status.SUBMITTED,
    )
    Story.objects.create(report=ra, title="From the harbor", text="Kits at the pier.", consent_to_publish=True)
    Story.objects.create(
        report=rb, title="Riverside night", text="A reversal at the bus stop.", consent_to_publish=True
    )
    Story.objects.create(report=rb, title="Do not publish", text="Private.", consent_to_publish=False)
    return ra, rb


def test_public_totals_count_every_approved_report_including_unnamed_organisations(reports):
    totals = {t["key"]: t for t in selectors.public_metric_totals()}
    assert totals["naloxone-kits-distributed"] == {
        "key": "naloxone-kits-distributed",
        "label": "Naloxone kits distributed",
        "unit": "kits",
        "total": Decimal("500.00"),
    }
    assert selectors.public_metric_totals(year=2024) == []


def test_public_trend_is_quarterly_and_approved_only(reports):
    assert selectors.public_trend("naloxone-kits-distributed") == [
        {"period": "2025 Q1", "year": 2025, "quarter": 1, "total": Decimal("500.00")}
    ]
    assert selectors.public_trend("no-such-metric") == []


def test_public_stories_need_consent_and_hide_unnamed_organisations(reports):
    stories = {s["title"]: s for s in selectors.public_stories(limit=10)}
    assert set(stories) == {"From the harbor", "Riverside night"}
    assert stories["From the harbor"]["organisation"] == "A community organisation"
    assert stories["Riverside night"]["organisation"] == "Riverside Outreach"
    assert "Quiet Harbor" not in repr(selectors.public_stories(limit=10))


def test_stories_from_unapproved_reports_are_not_public(reports):
    ra, _rb = reports
    ImpactReport.objects.filter(pk=ra.pk).update(status=ImpactReport.Status.CHANGES_REQUESTED)
    assert [s["title"] for s in selectors.public_stories(limit=10)] == ["Riverside night"]
