"""Factories for impact reporting. `AwardRowFactory` writes an award row directly (no ledger) for aggregation and
permission tests; use tests.factories.awards.accepted_award when the money matters."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from grants.awards.models import Award
from grants.impact.models import ImpactReport, Metric, MetricValue, ReportRequirement
from grants.impact.rollup import rollup_refresh

from .awards import ApprovedApplicationFactory


class AwardRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    application = factory.SubFactory(ApprovedApplicationFactory)
    fund = factory.LazyAttribute(lambda o: o.application.round.fund)
    round = factory.LazyAttribute(lambda o: o.application.round)
    organisation = factory.LazyAttribute(lambda o: o.application.organisation)
    approved_amount = Decimal("10000.00")
    amount = Decimal("10000.00")
    currency = "USD"
    status = Award.Status.ACCEPTED
    offered_at = factory.LazyFunction(timezone.now)
    offer_expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"metric-{n}")
    label = factory.Sequence(lambda n: f"Metric {n}")
    unit = "people"
    kind = Metric.Kind.COUNT
    aggregation = Metric.Aggregation.SUM


def make_report(
    award,
    number,
    *,
    period_start: date,
    period_end: date,
    status=ImpactReport.Status.APPROVED,
    values=None,
    due_date=None,
    metrics=None,
):
    """A requirement and its report, with totals `values` ({metric: number}) written directly."""
    due_date = due_date or period_end + timedelta(days=30)
    dates = {"period_start": period_start, "period_end": period_end, "due_date": due_date}
    # An award accepted through the service already has its schedule from the round's plan: reshape that report.
    requirement, _created = ReportRequirement.objects.update_or_create(award=award, number=number, defaults=dates)
    metrics = list(metrics or (values or {}).keys())
    if metrics:
        requirement.metrics.set(metrics)
    report, _created = ImpactReport.objects.update_or_create(
        requirement=requirement, defaults={"award": award, "number": number, "status": status, **dates}
    )
    for metric, value in (values or {}).items():
        MetricValue.objects.create(report=report, metric=metric, value=Decimal(str(value)))
    return report


def catalogue_metric(key):
    return Metric.objects.get(key=key)


def bulk_reports(awards, count: int, metrics, *, start=date(2020, 1, 1)):
    """`count` approved (mostly) reports spread over `awards`, each with a value per metric, in a handful of queries."""
    per_award = -(-count // len(awards))
    requirements, specs = [], []
    for i in range(count):
        award = awards[i % len(awards)]
        number = i // len(awards) + 1
        p_start = start + timedelta(days=91 * (number - 1))
        p_end = p_start + timedelta(days=90)
        requirements.append(
            ReportRequirement(
                award=award, number=number, period_start=p_start, period_end=p_end, due_date=p_end + timedelta(days=30)
            )
        )
        status = ImpactReport.Status.APPROVED if i % 10 else ImpactReport.Status.SUBMITTED
        specs.append((award, number, p_start, p_end, status))
    requirements = ReportRequirement.objects.bulk_create(requirements, batch_size=1000)
    if requirements[0].pk is None:  # backends without RETURNING
        by_key = {(r.award_id, r.number): r for r in ReportRequirement.objects.filter(award__in=awards)}
        requirements = [by_key[(a.pk, n)] for a, n, *_rest in specs]
    reports = [
        ImpactReport(requirement=req, award=a, number=n, period_start=s, period_end=e, due_date=req.due_date, status=st)
        for req, (a, n, s, e, st) in zip(requirements, specs)
    ]
    reports = ImpactReport.objects.bulk_create(reports, batch_size=1000)
    if reports[0].pk is None:
        reports = list(ImpactReport.objects.filter(award__in=awards))
    values = [
        MetricValue(report=r, metric=m, value=Decimal((r.number * 7 + j) % 50 + 1))
        for r in reports
        for j, m in enumerate(metrics)
    ]
    MetricValue.objects.bulk_create(values, batch_size=2000)
    rollup_refresh(award_ids=[a.pk for a in awards])  # bulk_create sends no signals
    return per_award
