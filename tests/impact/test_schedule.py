"""An award's report schedule comes from its round's reporting plan when the grantee accepts (the hand-over), and
staff can add, move or remove one award's reports before or after acceptance, with an audit entry and no 500s."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from grants.awards.offers import award_prepare, award_send_offer
from grants.awards.services import TrancheSpec, award_accept
from grants.impact.models import ImpactReport, ReportRequirement, RoundMetric
from grants.impact.schedule import (
    ScheduleError,
    add_months,
    report_requirements_from_plan,
    report_schedule_add,
    report_schedule_move,
    report_schedule_remove,
)
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, grantee_owner
from tests.factories.impact import MetricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_yearly_round(funding_round, fund):
    fund_with_money(fund, "100000.00")
    funding_round.report_every_months = 6
    funding_round.report_due_days = 21
    funding_round.grant_months = 12
    funding_round.budget = Decimal("100000.00")
    funding_round.save()
    return funding_round


@pytest.fixture
def kits(half_yearly_round):
    metric = MetricFactory(key="kits-handed-out", label="Kits handed out")
    RoundMetric.objects.create(round=half_yearly_round, metric=metric, required=True)
    return metric


def _prepared(funding_round, organisation, staff, **kwargs):
    application = ApprovedApplicationFactory(round=funding_round, organisation=organisation)
    today = timezone.localdate()
    return award_prepare(
        application=application,
        amount=Decimal("10000.00"),
        by=staff,
        tranches=[TrancheSpec(Decimal("10000.00"), today)],
        **kwargs,
    )


def _accept(award, owner):
    return award_accept(award=award, by=owner, typed_name=owner.get_full_name(), agreed=True, ip=None)


def test_accepting_an_award_creates_its_reports_from_the_rounds_plan(half_yearly_round, organisation, staff, kits):
    owner = grantee_owner(organisation, first_name="Rosa", last_name="Delgado")
    award = award_send_offer(award=_prepared(half_yearly_round, organisation, staff), by=staff)
    assert not ReportRequirement.objects.filter(award=award).exists()  # nothing is asked before acceptance

    _accept(award, owner)

    today = timezone.localdate()
    reports = list(ImpactReport.objects.filter(award=award).order_by("number"))
    middle = add_months(today, 6) - timedelta(days=1)
    end = add_months(today, 12) - timedelta(days=1)
    assert [(r.number, r.period_start, r.period_end, r.due_date, r.final) for r in reports] == [
        (1, today, middle, middle + timedelta(days=21), False),
        (2, middle + timedelta(days=1), end, end + timedelta(days=21), True),
    ]
    assert [list(r.requirement.metrics.all()) for r in reports] == [[kits], [kits]]
    award.refresh_from_db()
    assert (award.period_start, award.period_end) == (today, end)
    assert ModelLogEntry.objects.filter(action="impact.requirements.generate", object_id=str(award.pk)).exists()
    # The hand-over is idempotent.
    assert report_requirements_from_plan(award=award, by=staff) == []


def test_a_final_report_only_plan_asks_one_report_for_the_whole_period(half_yearly_round, organisation, staff):
    half_yearly_round.report_every_months = 0
    half_yearly_round.save()
    owner = grantee_owner(organisation, first_name="Rosa", last_name="Delgado")
    start = timezone.localdate() + timedelta(days=10)
    award = _prepared(half_yearly_round, organisation, staff, period_start=start, period_end=start + timedelta(days=99))
    _accept(award_send_offer(award=award, by=staff), owner)

    report = ImpactReport.objects.get(award=award)
    assert (report.period_start, report.period_end, report.final) == (start, start + timedelta(days=99), True)
    assert report.due_date == start + timedelta(days=99 + 21)


def test_a_schedule_changed_before_acceptance_is_what_the_grantee_gets(half_yearly_round, organisation, staff):
    owner = grantee_owner(organisation, first_name="Rosa", last_name="Delgado")
    award = _prepared(half_yearly_round, organisation, staff)
    today = timezone.localdate()
    report_schedule_move(
        award=award,
        number=1,
        by=staff,
        period_start=today,
        period_end=today + timedelta(days=89),
        due_date=today + timedelta(days=100),
    )
    extra = report_schedule_add(
        award=award,
        by=staff,
        period_start=today,
        period_end=today + timedelta(days=400),
        due_date=today + timedelta(days=430),
    )
    assert not ImpactReport.objects.filter(award=award).exists()  # still only an offer

    _accept(award_send_offer(award=award, by=staff), owner)

    reports = {r.number: r for r in ImpactReport.objects.filter(award=award)}
    assert sorted(reports) == [1, 2, 3]
    assert reports[1].due_date == today + timedelta(days=100)
    assert reports[extra.number].final is True  # the latest period is the final report
    assert [r.final for n, r in sorted(reports.items())] == [False, False, True]
    actions = set(ModelLogEntry.objects.filter(object_id=str(award.pk)).values_list("action", flat=True))
    assert {"impact.schedule.move", "impact.schedule.add"} <= actions


def test_after_acceptance_staff_move_and_remove_reports_with_an_audit_entry(half_yearly_round, organisation, staff):
    owner = grantee_owner(organisation, first_name="Rosa", last_name="Delgado")
    award = _accept(award_send_offer(award=_prepared(half_yearly_round, organisation, staff), by=staff), owner)
    report = ImpactReport.objects.get(award=award, number=1)
    ImpactReport.objects.filter(pk=report.pk).update(status=ImpactReport.Status.OVERDUE)
    later = report.due_date + timedelta(days=30)

    report_schedule_move(
        award=award, number=1, by=staff, period_start=report.period_start, period_end=report.period_end, due_date=later
    )
    report.refresh_from_db()
    assert (report.due_date, report.requirement.due_date, report.status) == (later, later, ImpactReport.Status.DUE)

    report_schedule_remove(award=award, number=2, by=staff, reason="Merged into report 1")
    assert list(ImpactReport.objects.filter(award=award).values_list("number", "final")) == [(1, True)]
    entry = ModelLogEntry.objects.get(action="impact.schedule.remove", object_id=str(award.pk))
    assert entry.data == {"report": 2, "reason": "Merged into report 1"}


def test_a_report_a_tranche_waits_for_or_that_was_started_cannot_be_removed(
    half_yearly_round, organisation, staff, kits
):
    owner = grantee_owner(organisation, first_name="Rosa", last_name="Delgado")
    application = ApprovedApplicationFactory(round=half_yearly_round, organisation=organisation)
    today = timezone.localdate()
    award = award_prepare(
        application=application,
        amount=Decimal("10000.00"),
        by=staff,
        tranches=[
            TrancheSpec(Decimal("5000.00"), today),
            TrancheSpec(Decimal("5000.00"), today, "on_report_approval", 2),
        ],
    )
    _accept(award_send_offer(award=award, by=staff), owner)
    with pytest.raises(ScheduleError, match="A payment waits for report 2"):
        report_schedule_remove(award=award, number=2, by=staff)

    from grants.impact.services import impact_report_save

    impact_report_save(report=ImpactReport.objects.get(award=award, number=1), by=owner, values={kits.pk: "12"})
    with pytest.raises(ScheduleError, match="has started report 1"):
        report_schedule_remove(award=award, number=1, by=staff)
    assert ImpactReport.objects.filter(award=award).count() == 2


def test_schedule_screens_answer_bad_input_with_messages_never_a_500(client, half_yearly_round, organisation, staff):
    award = _prepared(half_yearly_round, organisation, staff)
    client.force_login(staff)
    detail = client.get(reverse("awards_admin:award_detail", args=[award.pk]))
    assert detail.status_code == 200 and b"Change report 2" in detail.content

    bad = client.post(
        reverse("awards_admin:schedule_move", args=[award.pk, 1]),
        {"period_start": "2026-05-01", "period_end": "2026-04-01", "due_date": "not a date"},
    )
    assert bad.status_code == 200
    assert b"The period ends before it starts." in bad.content and b"Enter a valid date." in bad.content
    assert client.get(reverse("awards_admin:schedule_move", args=[award.pk, 99])).status_code == 302
    assert (
        client.post(reverse("awards_admin:schedule_remove", args=[award.pk, 99]), {"confirmed": "yes"}).status_code
        == 302
    )

    page = client.get(reverse("awards_admin:schedule_remove", args=[award.pk, 2]))
    assert b"will not be asked for the report" in page.content
    assert not ReportRequirement.objects.filter(award=award).exists()  # asking changed nothing
    client.post(reverse("awards_admin:schedule_remove", args=[award.pk, 2]), {"confirmed": "yes"})
    assert list(ReportRequirement.objects.filter(award=award).values_list("number", "final")) == [(1, True)]


def test_editors_and_finance_cannot_change_a_schedule(client, half_yearly_round, organisation, staff, finance, editor):
    award = _prepared(half_yearly_round, organisation, staff)
    for user in (finance, editor):
        client.force_login(user)
        url = reverse("awards_admin:schedule_remove", args=[award.pk, 1])
        assert client.post(url, {"confirmed": "yes"}).status_code == 403
    assert not ReportRequirement.objects.filter(award=award).exists()
