"""An organisation that opts out of being named is never revealed: not its name, its neighbourhood or its registration
number, through no list, filter, count, feed, search or sitemap; and opting out takes effect on cached pages at once."""

import csv
import io
import json
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest
from django.test import Client

from cms.selectors import grant_counts
from tests.factories.applicants import NeighbourhoodFactory, OrganisationFactory
from tests.factories.cms import make_public_grant

pytestmark = pytest.mark.django_db

HIDDEN_NAME = "Hidden Valley Peer Collective"
HIDDEN_OPERATING = "HVPC Night Outreach"
HIDDEN_HOOD = "Hidden Valley"
HIDDEN_REGISTRATION = "98-7654321"
SECRETS = (HIDDEN_NAME, HIDDEN_OPERATING, HIDDEN_HOOD, HIDDEN_REGISTRATION, "987654321", "hidden-valley")


@pytest.fixture
def grants(site):
    eastside = NeighbourhoodFactory(name="Eastside", slug="eastside")
    hidden_valley = NeighbourhoodFactory(name=HIDDEN_HOOD, slug="hidden-valley")
    named = make_public_grant(
        round=site["closed_round"],
        organisation=OrganisationFactory(legal_name="Eastside Harm Reduction", neighbourhood=eastside),
        title="Eastside drop-in",
        summary="A weekly drop-in.",
    )
    unnamed_org = OrganisationFactory(
        legal_name=HIDDEN_NAME,
        operating_name=HIDDEN_OPERATING,
        registration_number=HIDDEN_REGISTRATION,
        neighbourhood=hidden_valley,
        publicly_named=False,
    )
    unnamed = make_public_grant(
        round=site["closed_round"],
        organisation=unnamed_org,
        title="Peer outreach nights",
        summary=f"{HIDDEN_NAME} runs outreach in {HIDDEN_HOOD}.",
    )
    return {"named": named, "unnamed": unnamed, "unnamed_org": unnamed_org}


def _text(response):
    return response.content.decode()


def test_the_neighbourhood_filter_never_lists_an_unnamed_organisations_grant(client, grants, site):
    # An unnamed organisation working in Eastside, where a named one also works (so Eastside is a filter choice).
    eastside = grants["named"].organisation.neighbourhood
    make_public_grant(
        round=site["closed_round"],
        organisation=OrganisationFactory(
            legal_name="Quiet Eastside Group", neighbourhood=eastside, publicly_named=False
        ),
        title="Quiet evening van",
    )
    assert "Quiet evening van" in _text(client.get("/grants/"))  # listed, unnamed ...
    response = client.get("/grants/?neighbourhood=eastside")
    assert "Eastside drop-in" in _text(response)
    assert "Quiet evening van" not in _text(response)  # ... but never tied to where it works
    assert 'value="hidden-valley"' not in _text(client.get("/grants/"))  # nor offered as a choice


def test_searching_the_directory_for_an_unnamed_organisation_finds_nothing(client, grants):
    # The summary names it (the applicant wrote it): a match would tie the grant to the name searched for.
    for query in ("Hidden Valley", "HVPC", "runs outreach"):
        assert "Peer outreach nights" not in _text(client.get("/grants/", {"q": query})), query
    assert "Peer outreach nights" in _text(client.get("/grants/"))  # still listed, unnamed


def test_counts_include_only_the_neighbourhoods_of_named_organisations(grants):
    counts = grant_counts()
    assert counts["grants"] == 2
    assert counts["neighbourhoods"] == 1  # Eastside; counting Hidden Valley would reveal an unlisted place


def test_a_title_that_names_the_unnamed_organisation_is_not_published(client, grants):
    application = grants["unnamed"].application
    application.title = f"{HIDDEN_OPERATING}: evening van"
    application.save(update_fields=["title"])
    for url in ("/grants/", f"/grants/{grants['unnamed'].pk}/", "/open-data/grants.json", "/open-data/grants.csv"):
        text = _text(Client().get(url))
        assert "HVPC" not in text and "evening van" not in text, url


PUBLIC_URLS = (
    "/",
    "/grants/",
    "/grants/?neighbourhood=hidden-valley",
    "/grants/?q=Hidden+Valley",
    "/impact/",
    "/open-data/grants.json",
    "/open-data/grants.csv",
    "/sitemap.xml",
    "/search/?q=Hidden+Valley",
    "/search/?q=HVPC",
)


def _without_echo(text, url):
    """The page minus what the visitor typed (a search box shows its own query back)."""
    for _name, value in parse_qsl(urlsplit(url).query):
        for form in (value, quote_plus(value), value.replace(" ", "%20")):
            text = text.replace(form, "")
    return text


def test_no_public_page_feed_or_search_reveals_an_unnamed_organisation(grants):
    urls = [*PUBLIC_URLS, f"/grants/{grants['unnamed'].pk}/"]
    for url in urls:
        for attempt in ("miss", "hit"):
            response = Client().get(url)
            assert response.status_code == 200, (url, attempt)
            text = _without_echo(_text(response), url)
            leaked = [secret for secret in SECRETS if secret.lower() in text.lower()]
            assert not leaked, f"{url} ({attempt}) reveals {leaked}"
    package = json.loads(_text(Client().get("/open-data/grants.json")))
    [record] = [g for g in package["grants"] if g["title"] == "Peer outreach nights"]
    assert "beneficiaryLocation" not in record
    assert record["recipientOrganization"][0]["id"].endswith(f"-ORG-ANON-{grants['unnamed'].pk}")
    rows = list(csv.DictReader(io.StringIO(_text(Client().get("/open-data/grants.csv")))))
    assert {row["Beneficiary Location:Name"] for row in rows} == {"Eastside", ""}


def test_opting_out_retires_cached_pages_and_open_data_at_once(grants, django_capture_on_commit_callbacks):
    org = grants["named"].organisation
    for url in ("/grants/", "/open-data/grants.json", f"/grants/{grants['named'].pk}/"):
        Client().get(url)
        response = Client().get(url)
        assert response["X-Page-Cache"] == "hit" and "Eastside Harm Reduction" in _text(response)
    with django_capture_on_commit_callbacks(execute=True):
        org.publicly_named = False
        org.save()
    for url in ("/grants/", "/open-data/grants.json", f"/grants/{grants['named'].pk}/"):
        response = Client().get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert "Eastside Harm Reduction" not in _text(response), url
        assert "Eastside" not in _text(response).replace("Eastside drop-in", ""), url


def test_renaming_a_neighbourhood_retires_cached_pages(grants, django_capture_on_commit_callbacks):
    Client().get("/grants/")
    assert Client().get("/grants/")["X-Page-Cache"] == "hit"
    hood = grants["named"].organisation.neighbourhood
    with django_capture_on_commit_callbacks(execute=True):
        hood.name = "East Side"
        hood.save()
    response = Client().get("/grants/")
    assert response["X-Page-Cache"] == "miss" and "East Side" in _text(response)
