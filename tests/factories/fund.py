from decimal import Decimal

import factory
from django.utils import timezone

from fund.models import Campaign, Fund


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund
        django_get_or_create = ("slug",)

    name = "Millbrook Community Resilience Fund"
    slug = factory.Sequence(lambda n: f"fund-{n}")
    currency = "USD"
    jurisdiction = "US"
    legal_name = "Millbrook Community Foundation"
    charity_number = "12-3456789"
    address = "100 River Street\nMillbrook, PA 19000"
    signatory_name = "Jamie Ortiz"
    signatory_title = "Executive Director"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    fund = factory.SubFactory(FundFactory)
    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    goal = Decimal("250000.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=30))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    suggested_amounts = [25, 50, 100, 250]
