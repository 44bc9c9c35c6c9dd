"""Anonymous gifts stay anonymous: the giver's name (and email) never reaches any public page, feed or search result.

No public page lists donors by name today (the campaign page, home page and thank-you page show totals and donor
counts only; fund.donations.selectors.recent_public_gifts, which does name named givers, is used by no public page).
This test renders every public page type with a named and an anonymous gift recorded, so a donor wall or "recent
gifts" list added later cannot leak an anonymous giver without failing here.
"""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from fund.donations.models import Donation
from tests.factories.cms import make_public_grant, record_gift

pytestmark = pytest.mark.django_db

SECRET_NAME = "Secret Donor Name"
SECRET_EMAIL = "secret.donor@example.org"
CAMPAIGN = "/campaigns/naloxone-in-every-pocket/"


def give_anonymously_online(fake_stripe, campaign):
    """The real path: the campaign's donate form with "Give anonymously" ticked, paid on the fake Checkout, confirmed
    by the thank-you page. Returns (donation, thank-you URL)."""
    giver = Client()
    response = giver.post(
        f"/donate/?campaign={campaign.slug}",
        {
            "amount_choice": "50.00",
            "frequency": "once",
            "designation": campaign.slug,
            "name": SECRET_NAME,
            "email": SECRET_EMAIL,
            "address_line1": "7 Hidden Lane",
            "city": "Millbrook",
            "postal_code": "19000",
            "anonymous": "on",
            "website": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session_id = re.search(r"/checkout/(\w+)$", response["Location"]).group(1)
    fake_stripe.complete_session(session_id)
    thanks = f"/donate/thanks/?session_id={session_id}"
    assert "is confirmed" in giver.get(thanks).content.decode()
    return Donation.objects.get(stripe_checkout_session_id=session_id), thanks


def give_anonymously_offline(campaign, by):
    from fund.donations.offline import donation_record_offline
    from fund.donations.services import donor_get_or_create

    donor = donor_get_or_create(email=SECRET_EMAIL, name=SECRET_NAME)
    return donation_record_offline(
        donor=donor,
        fund=campaign.fund,
        campaign=campaign,
        amount=Decimal("200.00"),
        method="cheque",
        received_on=timezone.localdate(),
        by=by,
        anonymous=True,
    )


def site_pages(site):
    return [p.specific for p in Page.objects.live().public().descendant_of(site["home"], inclusive=True)]


def public_urls(site, award):
    urls = [p.url for p in site_pages(site)]
    assert all(urls)
    return urls + [
        site["directory"].specific.grant_url(award.pk),
        "/donate/",
        f"/donate/?campaign={site['campaign'].slug}",
        "/search/?q=Secret",
        "/search/?q=donor",  # the full name is searched below: the page echoes the query
        "/open-data/grants.json",
        "/open-data/grants.csv",
        "/sitemap.xml",
    ]


def test_an_anonymous_givers_name_never_appears_on_a_public_page(client, site, fake_stripe, finance_user):
    campaign = site["campaign"]
    award = make_public_grant(round=site["closed_round"], title="Naloxone vending machines")
    online, thanks_url = give_anonymously_online(fake_stripe, campaign)
    offline = give_anonymously_offline(campaign, finance_user)
    named = record_gift(campaign=campaign, amount="1000.00", by=finance_user)  # from "Grace Giver", not anonymous
    assert (online.status, online.anonymous, online.donor_name) == ("succeeded", True, SECRET_NAME)
    assert (offline.anonymous, offline.donor_name) == (True, SECRET_NAME)
    assert not named.anonymous

    urls = public_urls(site, award)
    expected_types = {
        "homepage",
        "campaignindexpage",
        "campaignpage",
        "fundingindexpage",
        "fundingroundpage",
        "grantsdirectorypage",
        "impactpage",
        "storyindexpage",
        "storypage",
        "standardpage",
    }
    assert {p._meta.model_name for p in site_pages(site)} == expected_types
    for url in urls:
        for attempt in ("rendered", "cached"):  # the second anonymous GET of a page is the page cache's copy
            response = client.get(url)
            assert response.status_code == 200, (url, attempt, response.status_code)
            body = response.content.decode()
            assert SECRET_NAME.lower() not in body.lower(), (url, attempt)
            assert SECRET_EMAIL not in body and "Hidden Lane" not in body, (url, attempt)

    # The gifts are really there: both anonymous gifts and the named one count on the public campaign page.
    campaign_html = client.get(CAMPAIGN).content.decode()
    assert "$1,250.00" in campaign_html and "<strong>2</strong> donors" in campaign_html

    search = client.get("/search/", {"q": SECRET_NAME}).content.decode()
    assert f"0 results for “{SECRET_NAME}”" in search

    # The thank-you page opens for whoever holds its URL (no session check), so it must not name the giver either.
    stranger = Client()
    thanks = stranger.get(thanks_url)
    assert thanks.status_code == 200
    assert "50.00 USD is confirmed" in thanks.content.decode()
    assert SECRET_NAME not in thanks.content.decode() and SECRET_EMAIL not in thanks.content.decode()
    assert stranger.get("/donate/thanks/?session_id=cs_test_unknown").status_code == 404
