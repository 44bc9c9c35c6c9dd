from decimal import Decimal

import factory
from django.utils import timezone

from fund.donations.models import Donation, Donor
from tests.factories.fund import FundFactory


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"donor{n}@example.org")
    address_line1 = "12 Elm Street"
    city = "Millbrook"
    region = "PA"
    postal_code = "19000"


class DonationFactory(factory.django.DjangoModelFactory):
    """A gift received by cheque (no Stripe). Use the services to record Stripe gifts."""

    class Meta:
        model = Donation

    donor = factory.SubFactory(DonorFactory)
    fund = factory.SubFactory(FundFactory)
    amount = Decimal("100.00")
    net_amount = Decimal("100.00")
    currency = "USD"
    method = "cheque"
    status = "succeeded"
    received_at = factory.LazyFunction(timezone.now)
    donor_name = factory.LazyAttribute(lambda o: o.donor.name)
    donor_address = factory.LazyAttribute(lambda o: o.donor.address)
