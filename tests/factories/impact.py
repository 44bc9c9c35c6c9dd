"""Factories for impact reporting. `AwardRowFactory` writes an award row directly (no ledger) for aggregation and
permission tests; use tests.factories.awards.accepted_award when the money matters."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from grants.awards.models import Award
from grants.impact.models import ImpactReport, Metric, MetricValue, ReportRequirement

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


def make_report(award, number, *, period_start: date, period_end: date, status=ImpactReport.Status.APPROVED,
                values=None, due_date=None, metrics=None):
    """A requirement and its report, with totals `values` ({metric: number}) written directly."""
    due_date = due_date or period_end + timedelta(days=30)
    requirement = ReportRequirement.objects.create(award=award, number=number, period_start=period_start,
                                                   period_end=period_end, due_date=due_date)
    metrics = list(metrics or (values or {}).keys())
    if metrics:
        requirement.metrics.set(metrics)
    report = ImpactReport.objects.create(requirement=requirement, award=award, number=number, period_start=period_start,
                                         period_end=period_end, due_date=due_date, status=status)
    for metric, value in (values or {}).items():
        MetricValue.objects.create(report=report, metric=metric, value=Decimal(str(value)))
    return report


def catalogue_metric(key):
    return Metric.objects.get(key=key)
