import factory

from applicants.models import Membership, Neighbourhood, Organisation


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    slug = factory.Sequence(lambda n: f"neighbourhood-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Community Group {n}")
    slug = factory.Sequence(lambda n: f"community-group-{n}")
    org_type = Organisation.Type.NONPROFIT_CORPORATION
    country = "US"
    registration_number = "12-3456789"
    city = "Millbrook"
    annual_budget = 120000
    publicly_named = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory("tests.factories.portal.UserFactory")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OWNER
