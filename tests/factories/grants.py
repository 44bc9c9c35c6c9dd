from decimal import Decimal

import factory
from django.utils import timezone

from grants.models import Application, FundingRound

from .applicants import OrganisationFactory
from .fund import FundFactory


class FundingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingRound

    fund = factory.SubFactory(FundFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    budget = Decimal("500000.00")
    max_request = Decimal("50000.00")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=21))
    status = FundingRound.Status.OPEN


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    round = factory.SubFactory(FundingRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    requested_amount = Decimal("25000.00")
    status = Application.Status.SUBMITTED
    reference = factory.Sequence(lambda n: f"CRF-2026-{n + 1:04d}")
    submitted_at = factory.LazyFunction(timezone.now)
