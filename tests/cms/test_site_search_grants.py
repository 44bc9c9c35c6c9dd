"""Site search finds funded grants and funded organisations as well as pages, and never an organisation that asked
not to be named."""

import pytest
from django.urls import reverse

from tests.factories.applicants import NeighbourhoodFactory, OrganisationFactory
from tests.factories.cms import make_public_grant
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_site_search_finds_funded_grants_and_their_organisations(client, site):
    hood = NeighbourhoodFactory(name="Northside", slug="northside")
    org = OrganisationFactory(legal_name="Northside Peer Drop-In", neighbourhood=hood, registration_number="84-1111111")
    make_public_grant(round=site["closed_round"], organisation=org, amount="42500.00", title="Evening drop-in")
    html = client.get("/search/?q=evening+drop").content.decode()
    assert "Funded grants" in html and "Evening drop-in" in html and "$42,500.00" in html
    html = client.get("/search/?q=Northside+peer").content.decode()
    assert "Funded organisations" in html and "Northside Peer Drop-In" in html
    assert "/grants/?q=Northside+Peer+Drop-In" in html  # the directory lists its grants
    assert "Funded organisations" not in client.get("/search/?q=84-1111111").content.decode()  # never private data


def test_site_search_never_finds_an_organisation_that_asked_not_to_be_named(client, site):
    hidden = OrganisationFactory(legal_name="Quiet Harbor Recovery House", publicly_named=False)
    make_public_grant(round=site["closed_round"], organisation=hidden, title="Recovery beds")
    for query in ("Quiet+Harbor", "Recovery+beds", "Recovery"):
        html = client.get(f"/search/?q={query}").content.decode()
        assert "Quiet Harbor Recovery House" not in html
        assert "Funded grants" not in html and "Funded organisations" not in html


def test_site_search_ignores_applications_that_were_not_funded(client, site):
    ApplicationFactory(
        title="Unfunded dream", status="declined", organisation=OrganisationFactory(legal_name="Unfunded Org")
    )
    html = client.get("/search/?q=Unfunded").content.decode()
    assert "Funded grants" not in html and "Funded organisations" not in html


def test_program_staff_search_the_admin_for_applications_and_organisations(client, mfa_user_factory):
    organisation = OrganisationFactory(legal_name="Eastbank Peers", registration_number="84-2222222")
    ApplicationFactory(title="Night outreach", status="submitted", organisation=organisation)
    OrganisationFactory(legal_name="Westside Friends")
    client.force_login(mfa_user_factory(is_superuser=True, is_staff=True))
    html = client.get("/admin/pages/search/?q=Eastbank").content.decode()  # the admin's search box offers both
    assert reverse("grants_admin:application_list") in html and reverse("organisations:index") in html
    client.force_login(mfa_user_factory("Program staff"))
    assert "Night outreach" in client.get("/admin/applications/?q=Eastbank").content.decode()
    listing = client.get(reverse("organisations:index") + "?q=84-2222222").content.decode()
    assert "Eastbank Peers" in listing and "Westside Friends" not in listing
    assert client.get(reverse("organisations:inspect", args=[organisation.pk])).status_code == 200
    assert client.get(reverse("organisations:edit", args=[organisation.pk])).status_code in (302, 403)


def test_only_program_staff_look_up_organisations_in_the_admin(client, mfa_user_factory):
    OrganisationFactory(legal_name="Eastbank Peers")
    for role in ("Editor", "Finance"):
        client.force_login(mfa_user_factory(role))
        response = client.get(reverse("organisations:index") + "?q=Eastbank")
        assert response.status_code in (302, 403) and "Eastbank Peers" not in response.content.decode()
