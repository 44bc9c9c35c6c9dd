"""Exact totals: sum, average and latest across overlapping report periods; unapproved reports never count."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from applicants.models import Organisation
from grants.impact import aggregation
from grants.impact.models import ImpactReport, Metric, MetricValue
from tests.factories.applicants import NeighbourhoodFactory, OrganisationFactory
from tests.factories.awards import ApprovedApplicationFactory
from tests.factories.grants import FundingRoundFactory
from tests.factories.impact import AwardRowFactory, MetricFactory, make_report

S = ImpactReport.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics():
    return {
        "kits": MetricFactory(key="kits", label="Kits", order=1),
        "pct": MetricFactory(
            key="pct", label="Pct", kind=Metric.Kind.PERCENTAGE, aggregation=Metric.Aggregation.AVERAGE, order=2
        ),
        "peers": MetricFactory(key="peers", label="Peers", aggregation=Metric.Aggregation.LATEST, order=3),
    }


@pytest.fixture
def scenario(funding_round, metrics):
    m = metrics
    org_a = OrganisationFactory(org_type=Organisation.Type.NONPROFIT_CORPORATION)
    org_b = OrganisationFactory(org_type=Organisation.Type.FAITH_BASED)
    a = AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round, organisation=org_a))
    b = AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round, organisation=org_b))
    # Award A reports by calendar quarter; award B's periods start mid-quarter, so they overlap A's.
    make_report(
        a,
        1,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        values={m["kits"]: 100, m["pct"]: 50, m["peers"]: 3},
    )
    make_report(
        a,
        2,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        values={m["kits"]: 150, m["pct"]: 70, m["peers"]: 5},
    )
    a3 = make_report(
        a,
        3,
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        status=S.SUBMITTED,
        values={m["kits"]: 1000, m["pct"]: 100, m["peers"]: 50},
    )
    make_report(
        b,
        1,
        period_start=date(2025, 2, 15),
        period_end=date(2025, 5, 14),
        values={m["kits"]: 40, m["pct"]: 90, m["peers"]: 2},
    )
    make_report(
        b,
        2,
        period_start=date(2025, 5, 15),
        period_end=date(2025, 8, 14),
        values={m["kits"]: 60, m["pct"]: 30, m["peers"]: 4},
    )
    make_report(
        b,
        3,
        period_start=date(2025, 8, 15),
        period_end=date(2025, 11, 14),
        status=S.DRAFT,
        values={m["kits"]: 999, m["peers"]: 99},
    )
    other = AwardRowFactory(application=ApprovedApplicationFactory(round=FundingRoundFactory(fund=funding_round.fund)))
    make_report(
        other,
        1,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        status=S.CHANGES_REQUESTED,
        values={m["kits"]: 500, m["peers"]: 40},
    )
    make_report(other, 2, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), status=S.OVERDUE)
    return {"a": a, "b": b, "a3": a3}


def _by_key(rows):
    return {r["key"]: r["total"] for r in rows}


def test_totals_follow_each_metrics_aggregation(scenario):
    totals = _by_key(aggregation.metric_totals())
    assert totals["kits"] == Decimal("350.00")  # 100 + 150 + 40 + 60
    assert totals["pct"] == Decimal("60.00")  # (50 + 70 + 90 + 30) / 4
    assert totals["peers"] == Decimal("9.00")  # A's latest approved (5) + B's latest approved (4)


def test_unapproved_reports_never_count_until_approved(scenario):
    before = _by_key(aggregation.metric_totals())
    assert before["kits"] == Decimal("350.00")
    a3 = scenario["a3"]
    a3.status = S.APPROVED
    a3.save(update_fields=["status"])
    after = _by_key(aggregation.metric_totals())
    assert after["kits"] == Decimal("1350.00")
    assert after["pct"] == Decimal("68.00")  # (50 + 70 + 100 + 90 + 30) / 5
    assert after["peers"] == Decimal("54.00")  # A's latest is now report 3 (50) + B's 4


def test_trend_by_quarter_places_reports_by_period_end(scenario):
    trend = aggregation.trend()
    assert trend["kits"]["points"] == [
        ("2025 Q1", Decimal("100.00")),
        ("2025 Q2", Decimal("190.00")),
        ("2025 Q3", Decimal("60.00")),
    ]
    # "latest" inside each quarter: per award its latest report in that quarter, summed.
    assert trend["peers"]["points"] == [
        ("2025 Q1", Decimal("3.00")),
        ("2025 Q2", Decimal("7.00")),
        ("2025 Q3", Decimal("4.00")),
    ]
    assert trend["pct"]["points"][1] == ("2025 Q2", Decimal("80.00"))


def test_filters_by_quarter_and_round_and_org_type(scenario, funding_round):
    q2 = _by_key(aggregation.metric_totals(year=2025, quarter=2))
    assert q2["kits"] == Decimal("190.00")
    assert q2["peers"] == Decimal("7.00")
    faith = _by_key(aggregation.metric_totals(org_type=Organisation.Type.FAITH_BASED))
    assert faith == {"kits": Decimal("100.00"), "pct": Decimal("60.00"), "peers": Decimal("4.00")}
    assert _by_key(aggregation.metric_totals(round=funding_round))["kits"] == Decimal("350.00")
    assert aggregation.metric_totals(year=2024) == []


def test_totals_by_org_type(scenario):
    rows = {(r["group"], r["key"]): r["total"] for r in aggregation.metric_totals_by("org_type")}
    assert rows[("nonprofit_corporation", "kits")] == Decimal("250.00")
    assert rows[("faith_based", "kits")] == Decimal("100.00")
    assert rows[("nonprofit_corporation", "peers")] == Decimal("5.00")


def test_neighbourhood_breakdown_does_not_change_totals(scenario, metrics):
    riverside = NeighbourhoodFactory(name="Riverside", slug="riverside")
    report = ImpactReport.objects.get(award=scenario["a"], number=1)
    MetricValue.objects.create(report=report, metric=metrics["kits"], neighbourhood=riverside, value=Decimal("60"))
    assert _by_key(aggregation.metric_totals())["kits"] == Decimal("350.00")
    assert aggregation.neighbourhood_breakdown() == [
        {"neighbourhood": "Riverside", "key": "kits", "label": "Kits", "total": Decimal("60.00")}
    ]


def test_compliance_counts_overdue_from_dates(scenario):
    counts = aggregation.compliance(today=date(2026, 1, 1))
    # B's draft report 3 was due 2025-12-14: late. The other award's report 2 is marked overdue.
    assert counts == {"due": 0, "submitted": 1, "changes_requested": 1, "approved": 4, "overdue": 2, "total": 8}
    assert aggregation.compliance(today=date(2025, 12, 1))["due"] == 1


def test_equity_compares_share_of_applications_with_share_of_money(funding_round):
    from tests.factories.grants import ApplicationFactory

    north = NeighbourhoodFactory(name="Northside", slug="northside")
    south = NeighbourhoodFactory(name="Southgate", slug="southgate")
    peer_org = OrganisationFactory(neighbourhood=north, peer_led=True, annual_budget=100_000)
    big_org = OrganisationFactory(neighbourhood=south, annual_budget=2_000_000)
    AwardRowFactory(
        application=ApprovedApplicationFactory(round=funding_round, organisation=peer_org),
        amount=Decimal("30000.00"),
        approved_amount=Decimal("30000.00"),
    )
    ApplicationFactory(round=funding_round, organisation=big_org)
    ApplicationFactory(round=funding_round, organisation=big_org)
    ApplicationFactory(round=funding_round, organisation=big_org, status="draft")  # not in the pool
    AwardRowFactory(
        application=ApprovedApplicationFactory(round=funding_round, organisation=big_org),
        amount=Decimal("10000.00"),
        approved_amount=Decimal("10000.00"),
    )
    result = aggregation.equity(round=funding_round)
    assert result["totals"] == {"applications": 4, "awards": 2, "money": Decimal("40000.00")}
    rows = {r["label"]: r for r in result["neighbourhood"]}
    assert rows["Northside"]["share_applications"] == Decimal("25.0")
    assert rows["Northside"]["share_money"] == Decimal("75.0")
    assert rows["Southgate"]["share_applications"] == Decimal("75.0")
    assert rows["Southgate"]["gap"] == Decimal("-50.0")
    peer = {r["label"]: r for r in result["peer_led"]}
    assert peer["Peer-led"]["money"] == Decimal("30000.00")
    sizes = {r["label"]: r["awards"] for r in result["size"]}
    assert sorted(sizes.values()) == [1, 1]


def test_dashboard_figures_in_one_query_match_the_separate_aggregations(scenario, metrics, django_assert_num_queries):
    riverside = NeighbourhoodFactory(name="Riverside", slug="riverside")
    report = ImpactReport.objects.get(award=scenario["a"], number=1)
    MetricValue.objects.create(report=report, metric=metrics["kits"], neighbourhood=riverside, value=Decimal("60"))
    with django_assert_num_queries(1):
        figures = aggregation.dashboard_figures()
    assert figures["totals"] == aggregation.metric_totals()
    assert figures["trend"] == aggregation.trend()
    assert [(r["group"], r["key"], r["total"]) for r in figures["by_type"]] == sorted(
        (r["group"], r["key"], r["total"]) for r in aggregation.metric_totals_by("org_type")
    )
    assert figures["neighbourhoods"] == aggregation.neighbourhood_breakdown()


FILTER_SETS = [
    {},
    {"year": 2025},
    {"year": 2025, "quarter": 2},
    {"quarter": 2},
    {"quarter": 3},
    {"year": 2024},
    {"org_type": Organisation.Type.FAITH_BASED},
    {"year": 2025, "org_type": Organisation.Type.NONPROFIT_CORPORATION},
]


def _assert_rollup_matches_from_scratch(**extra):
    for filters in FILTER_SETS + [extra]:
        assert aggregation.dashboard_figures_from_rollup(**filters) == aggregation.dashboard_figures(**filters), filters


def test_dashboard_figures_from_the_rollup_equal_the_from_scratch_aggregation(scenario, metrics, funding_round):
    riverside = NeighbourhoodFactory(name="Riverside", slug="riverside")
    report = ImpactReport.objects.get(award=scenario["a"], number=1)
    MetricValue.objects.create(report=report, metric=metrics["kits"], neighbourhood=riverside, value=Decimal("60"))
    figures = aggregation.dashboard_figures_from_rollup()
    assert _by_key(figures["totals"]) == {"kits": Decimal("350.00"), "pct": Decimal("60.00"), "peers": Decimal("9.00")}
    assert figures["neighbourhoods"][0]["total"] == Decimal("60.00")
    _assert_rollup_matches_from_scratch(round=funding_round)
    _assert_rollup_matches_from_scratch(fund=funding_round.fund)
    _assert_rollup_matches_from_scratch(neighbourhood=scenario["a"].organisation.neighbourhood)


def test_the_rollup_follows_approvals_edits_and_deletions(scenario, metrics):
    a3 = scenario["a3"]
    a3.status = S.APPROVED
    a3.save(update_fields=["status"])
    assert _by_key(aggregation.dashboard_figures_from_rollup()["totals"])["peers"] == Decimal("54.00")
    _assert_rollup_matches_from_scratch()
    value = MetricValue.objects.get(report=a3, metric=metrics["kits"], neighbourhood__isnull=True)
    value.value = Decimal("7.5")
    value.save()
    assert _by_key(aggregation.dashboard_figures_from_rollup()["totals"])["kits"] == Decimal("357.50")
    value.delete()
    _assert_rollup_matches_from_scratch()
    a3.delete()
    assert _by_key(aggregation.dashboard_figures_from_rollup()["totals"])["peers"] == Decimal("9.00")
    _assert_rollup_matches_from_scratch()


def test_rollup_with_many_overlapping_reports_equals_the_from_scratch_aggregation(funding_round, metrics):
    """Awards whose reports straddle quarters and years, several per quarter, some unapproved: every window agrees."""
    import random

    rng = random.Random(18)
    hood = NeighbourhoodFactory(name="Eastside", slug="eastside")
    awards = [AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round)) for _ in range(5)]
    for award in awards:
        end = date(2024, 10, 1)
        for number in range(1, 9):
            end = date.fromordinal(end.toordinal() + rng.choice([20, 45, 91, 120]))
            status = rng.choice([S.APPROVED, S.APPROVED, S.APPROVED, S.SUBMITTED])
            values = {m: rng.randint(0, 90) for m in metrics.values() if rng.random() < 0.85}
            report = make_report(
                award, number, period_start=date.fromordinal(end.toordinal() - 19), period_end=end, status=status
            )
            for metric, value in values.items():
                MetricValue.objects.create(report=report, metric=metric, value=Decimal(value) / 4)
            if number % 3 == 0:
                MetricValue.objects.create(report=report, metric=metrics["kits"], neighbourhood=hood, value=1)
    for filters in [{"year": 2025, "quarter": q} for q in (1, 2, 3, 4)] + [{"year": 2026}, {"quarter": 1}]:
        _assert_rollup_matches_from_scratch(**filters)


def test_rollup_rebuild_restores_what_the_receivers_maintain(scenario):
    from grants.impact.models import MetricRollup, MetricRollupSegment
    from grants.impact.rollup import rollup_rebuild

    def state():
        fields = ("metric", "neighbourhood", "year", "quarter", "total", "count", "latest", "latest_in_year")
        segment = ("round", "fund", "org_type", "org_neighbourhood")
        return (
            sorted(MetricRollup.objects.values_list("award", *segment, *fields)),
            sorted(MetricRollupSegment.objects.values_list(*segment, *fields)),
        )

    maintained = state()
    assert all(maintained)
    MetricRollup.objects.all().delete()
    MetricRollupSegment.objects.all().delete()
    rollup_rebuild()
    assert state() == maintained


def test_the_rollup_follows_an_organisation_that_changes_neighbourhood_or_type(scenario, funding_round):
    """The segment level is keyed by the organisation's type and neighbourhood: moving one moves its figures."""
    from grants.impact import selectors

    east, west = NeighbourhoodFactory(name="East", slug="east"), NeighbourhoodFactory(name="West", slug="west")
    org = scenario["a"].organisation
    org.neighbourhood = east
    org.save()
    _assert_rollup_matches_from_scratch(neighbourhood=east)
    cached = selectors.dashboard_figures(neighbourhood=east.pk)
    assert _by_key(cached["totals"])["kits"] == Decimal("250.00")
    org.neighbourhood = west
    org.org_type = Organisation.Type.TRIBAL
    org.save(update_fields=["neighbourhood", "org_type"])
    assert aggregation.dashboard_figures_from_rollup(neighbourhood=east) == aggregation.dashboard_figures(
        neighbourhood=east
    )
    assert selectors.dashboard_figures(neighbourhood=east.pk)["totals"] == []  # the cached figures moved too
    _assert_rollup_matches_from_scratch(neighbourhood=west)
    _assert_rollup_matches_from_scratch(org_type=Organisation.Type.TRIBAL)
    _assert_rollup_matches_from_scratch(neighbourhood=west, org_type=Organisation.Type.TRIBAL, year=2025)
    west.delete()  # the organisation's neighbourhood becomes none (SET_NULL, no signal): the sums stay exact
    _assert_rollup_matches_from_scratch()
    org.refresh_from_db()
    org.neighbourhood = east
    org.save()
    _assert_rollup_matches_from_scratch(neighbourhood=east)


def test_the_rollup_follows_an_award_that_moves_round_or_organisation(scenario, funding_round):
    other_round = FundingRoundFactory(fund=funding_round.fund)
    award = scenario["b"]
    award.round = other_round
    award.save()
    _assert_rollup_matches_from_scratch(round=other_round)
    _assert_rollup_matches_from_scratch(round=funding_round)
    award.organisation = scenario["a"].organisation
    award.save(update_fields=["organisation"])
    _assert_rollup_matches_from_scratch(org_type=Organisation.Type.FAITH_BASED)
    _assert_rollup_matches_from_scratch(org_type=Organisation.Type.NONPROFIT_CORPORATION)


def test_saving_an_organisation_or_award_that_did_not_move_refreshes_nothing(scenario, django_assert_num_queries):
    org = scenario["a"].organisation
    ContentType.objects.get_for_model(Organisation)  # cached in production after the first save; warm it here too
    # Ours: the update, and "are any of its rows in another segment?". Wagtail's reference index task, which tests run
    # inline (a worker runs it in production): the organisation read back, a savepoint, the index read, its release.
    wagtail_reference_index = 4
    with django_assert_num_queries(2 + wagtail_reference_index):
        org.save()
    with django_assert_num_queries(1 + wagtail_reference_index):  # other fields named: no look-up of ours
        org.save(update_fields=["legal_name"])
    award = scenario["a"]
    with django_assert_num_queries(3):  # the update, its rows' segments, its organisation's type and neighbourhood
        award.save()


@pytest.mark.parametrize("awards", [2, 40])
def test_dashboard_figures_from_rollup_and_refresh_take_constant_queries(
    funding_round, awards, django_assert_num_queries
):
    from grants.impact.rollup import rollup_refresh
    from tests.factories.impact import bulk_reports

    catalogue = list(Metric.objects.filter(key__in=["naloxone-kits-distributed", "people-reached"]))
    rows = [AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round)) for _ in range(awards)]
    bulk_reports(rows, awards * 4, catalogue)
    with django_assert_num_queries(1):
        aggregation.dashboard_figures_from_rollup(year=2020)
    from django.db import connection

    # What one approval adds: savepoint, where the award was and is counted (one UNION), delete, read, insert; the
    # segment: (PostgreSQL: its advisory lock,) delete, sum, insert; release.
    with django_assert_num_queries(9 + (connection.vendor == "postgresql")):
        rollup_refresh(award_ids=[rows[-1].pk])
