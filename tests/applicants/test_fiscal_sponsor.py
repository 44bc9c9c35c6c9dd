"""A fiscal sponsor is an organisation in the portal: picked from a list, shown with its registration, printed on PDFs."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from applicants import services
from applicants.models import Organisation
from grants.awards.pdf import agreement_pdf
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, make_award
from tests.factories.grants_extra import complete, draft_for, round_with_form
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db

sponsor_migration = importlib.import_module("applicants.migrations.0005_organisation_fiscal_sponsor")


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _sponsor():
    return OrganisationFactory(
        legal_name="Millbrook Community Foundation, Inc.",
        org_type="registered_charity",
        registration_number="84-2211907",
    )


def test_an_unincorporated_group_picks_its_sponsor_from_the_registered_organisations(client):
    sponsor = _sponsor()
    other_group = OrganisationFactory(legal_name="Another Group", org_type="unincorporated", registration_number="")
    client.force_login(UserFactory())
    url = reverse("applicants:organisation_create")
    body = client.get(url).content.decode()
    assert "Millbrook Community Foundation, Inc. (registration 84-2211907)" in body
    assert f'value="{other_group.pk}"' not in body  # a group without registration cannot sponsor

    response = client.post(
        url,
        {
            "legal_name": "Eastbank Clean-up",
            "org_type": "unincorporated",
            "country": "US",
            "fiscal_sponsor": sponsor.pk,
        },
    )
    assert response.status_code == 302
    group = Organisation.objects.get(legal_name="Eastbank Clean-up")
    assert group.fiscal_sponsor == sponsor
    body = client.get(reverse("applicants:organisation_detail", args=[group.slug])).content.decode()
    assert "Millbrook Community Foundation, Inc. (registration 84-2211907)" in body


def test_an_unregistered_or_unknown_sponsor_is_refused(client):
    other_group = OrganisationFactory(org_type="unincorporated", registration_number="")
    client.force_login(UserFactory())
    response = client.post(
        reverse("applicants:organisation_create"),
        {"legal_name": "Eastbank", "org_type": "unincorporated", "country": "US", "fiscal_sponsor": other_group.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Organisation.objects.filter(legal_name="Eastbank").exists()


def test_an_organisation_cannot_sponsor_itself():
    membership = MembershipFactory(organisation__org_type="registered_charity")
    organisation = membership.organisation
    with pytest.raises(ValidationError, match="its own fiscal sponsor"):
        services.organisation_update(organisation=organisation, by=membership.user, fiscal_sponsor=organisation)


def test_migration_links_sponsors_named_exactly_and_keeps_other_names_as_text():
    sponsor = _sponsor()
    exact = OrganisationFactory(org_type="unincorporated", fiscal_sponsor_name="Millbrook Community Foundation, Inc.")
    unknown = OrganisationFactory(org_type="unincorporated", fiscal_sponsor_name="Some Church We Know")
    sponsor_migration.link_sponsors_by_exact_name(apps, None)
    exact.refresh_from_db()
    unknown.refresh_from_db()
    assert exact.fiscal_sponsor == sponsor and exact.fiscal_sponsor_name == ""
    assert unknown.fiscal_sponsor is None and unknown.fiscal_sponsor_name == "Some Church We Know"
    assert unknown.sponsor_display == "Some Church We Know"  # old data stays readable


def test_application_pdf_and_agreement_show_the_sponsors_legal_name_and_registration(client):
    sponsor = _sponsor()
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    group = application.organisation
    group.org_type, group.registration_number, group.fiscal_sponsor = "unincorporated", "", sponsor
    group.save()
    complete(application)
    client.force_login(user)
    assert client.post(reverse("grants:application_review", args=[application.pk])).status_code == 302
    text = _pdf_text(client.get(reverse("grants:application_pdf", args=[application.pk])).content)
    assert "Millbrook Community Foundation, Inc." in text and "84-2211907" in text

    approved = ApprovedApplicationFactory(organisation=group)
    fund_with_money(approved.round.fund, "50000.00")
    award = make_award(application=approved)
    text = _pdf_text(agreement_pdf(award))
    assert "Fiscal sponsor: Millbrook Community Foundation, Inc. (registration 84-2211907)" in text
