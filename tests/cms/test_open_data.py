"""Open data in the 360Giving Data Standard's shape: required fields present, nothing private published."""

import csv
import io
import json

import pytest

from cms.opendata import CSV_COLUMNS
from tests.factories.applicants import OrganisationFactory
from tests.factories.cms import make_public_grant
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db

# The 360Giving schema's required fields (https://standard.threesixtygiving.org/en/latest/technical/grant-schema/).
REQUIRED = [
    "id",
    "title",
    "description",
    "currency",
    "amountAwarded",
    "awardDate",
    "recipientOrganization",
    "fundingOrganization",
]


def test_grants_json_has_every_field_the_360giving_standard_requires(client, site):
    award = make_public_grant(round=site["closed_round"], amount="12345.67", title="Naloxone trainings")
    data = json.loads(client.get("/open-data/grants.json").content)
    assert len(data["grants"]) == 1
    grant = data["grants"][0]
    for name in REQUIRED:
        assert grant.get(name) not in (None, "", []), name
    assert grant["id"] == f"360G-millbrook-{award.application.reference}"
    assert grant["amountAwarded"] == 12345.67
    assert grant["currency"] == "USD"
    assert len(grant["awardDate"]) == 10
    for org in grant["recipientOrganization"] + grant["fundingOrganization"]:
        assert org["id"] and org["name"]
    assert grant["fundingOrganization"][0]["id"] == "US-EIN-123456789"
    assert grant["plannedDates"][0]["startDate"] and grant["plannedDates"][0]["endDate"]
    assert grant["amountDisbursed"] == 0.0


def test_unnamed_organisations_are_published_without_name_or_identifying_id(client, site):
    org = OrganisationFactory(
        legal_name="Quiet Harbor Recovery House", publicly_named=False, registration_number="98-7654321"
    )
    award = make_public_grant(
        round=site["closed_round"], organisation=org, summary="Beds at Quiet Harbor for people leaving hospital."
    )
    body = client.get("/open-data/grants.json").content.decode()
    assert "Quiet Harbor" not in body
    assert "98-7654321" not in body and "987654321" not in body
    recipient = json.loads(body)["grants"][0]["recipientOrganization"][0]
    assert recipient == {"id": f"360G-millbrook-ORG-ANON-{award.pk}", "name": "A community organisation"}


def test_only_awarded_grants_are_published(client, site):
    ApplicationFactory(title="Submitted, not decided")
    ApplicationFactory(title="Approved, no award yet", status="approved")
    assert json.loads(client.get("/open-data/grants.json").content) == {"grants": []}


def test_grants_csv_uses_the_360giving_column_headings(client, site):
    make_public_grant(title='=HYPERLINK("http://evil")')
    response = client.get("/open-data/grants.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [header for header, _path in CSV_COLUMNS]
    assert rows[0][:6] == ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date"]
    assert rows[1][1].startswith("'=")  # a formula is never executable in a spreadsheet
    assert len(rows) == 2


def test_open_data_is_cached_and_shows_a_new_award_at_once(client, site):
    make_public_grant(round=site["closed_round"], title="Naloxone trainings")
    first = client.get("/open-data/grants.json")
    assert first["X-Page-Cache"] == "miss" and len(json.loads(first.content)["grants"]) == 1
    again = client.get("/open-data/grants.json")
    assert again["X-Page-Cache"] == "hit" and again["Access-Control-Allow-Origin"] == "*"
    assert client.get("/open-data/grants.csv")["Content-Disposition"] == 'attachment; filename="grants-360giving.csv"'
    assert client.get("/open-data/grants.csv")["Content-Disposition"] == 'attachment; filename="grants-360giving.csv"'

    make_public_grant(round=site["closed_round"], title="Drop-in evenings")  # an award saved retires the cached copy
    fresh = client.get("/open-data/grants.json")
    assert fresh["X-Page-Cache"] == "miss"
    assert sorted(g["title"] for g in json.loads(fresh.content)["grants"]) == ["Drop-in evenings", "Naloxone trainings"]
