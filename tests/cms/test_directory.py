"""Grants directory and per-grant pages: public awards only, unnamed organisations never named, fixed query budget."""

import pytest

from tests.factories.applicants import NeighbourhoodFactory, OrganisationFactory
from tests.factories.cms import make_public_grant
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_directory_lists_awards_with_organisation_amount_round_and_neighbourhood(client, site):
    hood = NeighbourhoodFactory(name="Northside", slug="northside")
    org = OrganisationFactory(legal_name="Northside Peer Drop-In", neighbourhood=hood)
    make_public_grant(round=site["closed_round"], organisation=org, amount="42500.00", title="Evening drop-in")
    html = client.get("/grants/").content.decode()
    assert "Evening drop-in" in html
    assert "Northside Peer Drop-In" in html
    assert "$42,500.00" in html
    assert "2025 Harm Reduction Grants" in html
    assert "Northside" in html


def test_directory_hides_the_name_of_an_organisation_that_asked_not_to_be_named(client, site):
    hidden = OrganisationFactory(legal_name="Quiet Harbor Recovery House", publicly_named=False)
    award = make_public_grant(round=site["closed_round"], organisation=hidden, title="Recovery beds")
    listing = client.get("/grants/").content.decode()
    detail = client.get(f"/grants/{award.pk}/").content.decode()
    for html in (listing, detail):
        assert "Quiet Harbor" not in html
        assert "A community organisation" in html
    searched = client.get("/grants/?q=Quiet+Harbor").content.decode()
    assert "Recovery beds" not in searched  # the hidden name is not searchable either
    assert "0 grants" in searched


def test_search_by_name_finds_named_organisations_only(client, site):
    make_public_grant(organisation=OrganisationFactory(legal_name="Riverside Van Collective"), title="Van nights")
    make_public_grant(
        organisation=OrganisationFactory(legal_name="Riverside Secret Group", publicly_named=False), title="Quiet work"
    )
    html = client.get("/grants/?q=Riverside").content.decode()
    assert "Van nights" in html
    assert "Quiet work" not in html


def test_directory_filters_by_round_neighbourhood_and_year(client, site):
    north = NeighbourhoodFactory(name="Northside", slug="northside")
    east = NeighbourhoodFactory(name="Eastbank", slug="eastbank")
    make_public_grant(round=site["closed_round"], neighbourhood=north, title="Old grant", accepted_days_ago=400)
    make_public_grant(round=site["open_round"], neighbourhood=east, title="New grant", accepted_days_ago=1)
    by_round = client.get("/grants/?round=2025-harm-reduction").content.decode()
    assert "Old grant" in by_round and "New grant" not in by_round
    by_hood = client.get("/grants/?neighbourhood=eastbank").content.decode()
    assert "New grant" in by_hood and "Old grant" not in by_hood
    from django.utils import timezone

    this_year = timezone.localdate().year
    by_year = client.get(f"/grants/?year={this_year}").content.decode()
    assert "New grant" in by_year


def test_directory_ignores_bad_filters_and_pages_instead_of_failing(client, site):
    make_public_grant(title="Only grant")
    response = client.get("/grants/?year=notayear&page=99")
    assert response.status_code == 200
    assert "Only grant" in response.content.decode()


def test_offered_or_unapproved_work_is_not_listed(client, site):
    from grants.awards.models import Award

    offered = make_public_grant(title="Still an offer")
    Award.objects.filter(pk=offered.pk).update(status=Award.Status.OFFERED)
    ApplicationFactory(title="Just submitted")
    html = client.get("/grants/").content.decode()
    assert "Still an offer" not in html and "Just submitted" not in html
    assert client.get(f"/grants/{offered.pk}/").status_code == 404


def _bulk_grants(count, funding_round):
    """Many accepted awards quickly (bulk inserts; the awards services are tested in their own app)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from applicants.models import Organisation
    from grants.awards.models import Award
    from grants.models import Application

    now = timezone.now()
    hood = NeighbourhoodFactory()
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"Bulk Org {i}",
                slug=f"bulk-org-{count}-{i}",
                org_type="nonprofit_corporation",
                neighbourhood=hood,
                publicly_named=i % 5 != 0,
            )
            for i in range(count)
        ]
    )
    apps_ = Application.objects.bulk_create(
        [
            Application(
                round=funding_round,
                organisation=org,
                title=f"Bulk project {i}",
                status="approved",
                requested_amount=Decimal("1000.00"),
                reference=f"BULK-{count}-{i}",
                decided_at=now,
            )
            for i, org in enumerate(orgs)
        ]
    )
    Award.objects.bulk_create(
        [
            Award(
                application=a,
                fund=funding_round.fund,
                round=funding_round,
                organisation=a.organisation,
                approved_amount=Decimal("1000.00"),
                amount=Decimal("1000.00"),
                currency="USD",
                status="accepted",
                offered_at=now - timedelta(days=3),
                offer_expires_on=now.date(),
                accepted_at=now,
            )
            for a in apps_
        ]
    )


@pytest.mark.parametrize("count", [20, 200])
def test_directory_query_count_does_not_grow_with_grants(client, site, django_assert_max_num_queries, count):
    _bulk_grants(count, site["closed_round"])
    client.get("/grants/")  # warm Wagtail's site-root cache, as in production
    with django_assert_max_num_queries(17):
        response = client.get("/grants/?page=1")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 21  # header + one page of 20
