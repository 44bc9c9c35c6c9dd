"""Builders for the public site: a HomePage as the default Site's root, pages under it, public grants, gifts."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .applicants import NeighbourhoodFactory, OrganisationFactory
from .fund import CampaignFactory, FundFactory
from .grants import ApplicationFactory, FundingRoundFactory


def add_page(parent, model, *, revision=False, **fields):
    """Create a live page under `parent`. revision=True also saves and publishes a revision, as the admin does
    (slower; only needed when a test edits the page through revisions)."""
    fields.setdefault("slug", fields.get("title", model.__name__).lower().replace(" ", "-"))
    page = model(**fields)
    parent.add_child(instance=page)
    if revision:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def make_home(**fields):
    """A HomePage under the tree root that the default Site serves at "/" (replacing Wagtail's welcome page)."""
    from wagtail.models import Page, Site

    from cms.models import HomePage

    root = Page.get_first_root_node()
    fields.setdefault("title", "Millbrook Community Resilience Fund")
    fields.setdefault("slug", "millbrook-home")
    fields.setdefault("hero_heading", "Community-led answers to the overdose crisis")
    fields.setdefault("intro", "We pool money for community-led responses to the overdose crisis.")
    home = add_page(root, HomePage, **fields)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    else:
        site.root_page = home
        site.save()
    from cms.models import SiteSettings

    SiteSettings.for_site(Site.objects.get(is_default_site=True))  # created on first use; do it before any caching
    return home


def make_site(fund=None):
    """A small complete site: every page type, one campaign, an open and a closed round. Returns a dict of pages."""
    from cms.models import (
        CampaignIndexPage,
        CampaignPage,
        FundingIndexPage,
        FundingRoundPage,
        GrantsDirectoryPage,
        ImpactPage,
        StandardPage,
        StoryIndexPage,
        StoryPage,
    )

    fund = fund or FundFactory(slug="millbrook", is_default=True)
    home = make_home()
    campaign = CampaignFactory(fund=fund, title="Naloxone in Every Pocket", slug="naloxone-in-every-pocket")
    pages = {"home": home, "fund": fund, "campaign": campaign}
    pages["campaigns"] = add_page(home, CampaignIndexPage, title="Campaigns", slug="campaigns")
    pages["campaign_page"] = add_page(
        pages["campaigns"],
        CampaignPage,
        title="Naloxone in Every Pocket",
        slug="naloxone-in-every-pocket",
        campaign=campaign,
        intro="Free naloxone for everyone in Millbrook.",
        body='[{"type": "rich_text", "value": "<p>Naloxone saves lives.</p>"},'
        ' {"type": "quote", "value": {"quote": "It brought my neighbour back.", "attribution": "A resident"}},'
        ' {"type": "statistic", "value": {"value": "$25", "label": "buys two kits", "source": ""}}]',
    )
    home.featured_campaign = pages["campaign_page"]
    home.save(update_fields=["featured_campaign"])
    pages["funding"] = add_page(home, FundingIndexPage, title="Funding", slug="funding")
    open_round = FundingRoundFactory(fund=fund, title="2026 Community-Led Response Grants", slug="2026-community")
    closed_round = FundingRoundFactory(
        fund=fund,
        title="2025 Harm Reduction Grants",
        slug="2025-harm-reduction",
        status="decided",
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=300),
    )
    pages["open_round"], pages["closed_round"] = open_round, closed_round
    pages["open_round_page"] = add_page(
        pages["funding"],
        FundingRoundPage,
        title=open_round.title,
        slug=open_round.slug,
        funding_round=open_round,
        intro="Grants of up to $50,000.",
        eligibility="<p>Community groups in Millbrook.</p>",
        faqs='[{"type": "faq", "value": {"question": "Who decides?", "answer": "<p>A panel of nine.</p>"}}]',
    )
    pages["closed_round_page"] = add_page(
        pages["funding"],
        FundingRoundPage,
        title=closed_round.title,
        slug=closed_round.slug,
        funding_round=closed_round,
        intro="Eight grants awarded.",
        results="<p>Eight grants were awarded.</p>",
    )
    pages["directory"] = add_page(home, GrantsDirectoryPage, title="Who we fund", slug="grants")
    pages["impact"] = add_page(home, ImpactPage, title="Our impact", slug="impact")
    pages["stories"] = add_page(home, StoryIndexPage, title="Stories", slug="stories")
    pages["story"] = add_page(
        pages["stories"],
        StoryPage,
        title="On the road with the outreach van",
        slug="outreach-van",
        intro="Three nights a week, the van brings supplies.",
        is_grantee_story=True,
        consent_given=True,
    )
    pages["about"] = add_page(home, StandardPage, title="About us", slug="about", intro="Who we are.")
    return pages


def make_public_grant(
    *,
    round=None,
    organisation=None,
    amount="10000.00",
    title="Peer outreach nights",
    summary="Evening outreach with naloxone.",
    accepted_days_ago=30,
    neighbourhood=None,
):
    """An accepted award (read-side fixture: written directly, the awards services are tested in tests/awards)."""
    from grants.awards.models import Award

    organisation = organisation or OrganisationFactory(neighbourhood=neighbourhood or NeighbourhoodFactory())
    funding_round = round or FundingRoundFactory()
    application = ApplicationFactory(
        round=funding_round,
        organisation=organisation,
        title=title,
        summary=summary,
        status="approved",
        requested_amount=Decimal(amount),
        decided_at=timezone.now() - timedelta(days=accepted_days_ago + 5),
    )
    now = timezone.now()
    return Award.objects.create(
        application=application,
        fund=funding_round.fund,
        round=funding_round,
        organisation=organisation,
        approved_amount=Decimal(amount),
        amount=Decimal(amount),
        currency=funding_round.fund.currency,
        status=Award.Status.ACCEPTED,
        offered_at=now - timedelta(days=accepted_days_ago + 2),
        offer_expires_on=(now + timedelta(days=30)).date(),
        accepted_at=now - timedelta(days=accepted_days_ago),
        period_start=(now - timedelta(days=accepted_days_ago)).date(),
        period_end=(now + timedelta(days=335 - accepted_days_ago)).date(),
    )


def record_gift(*, campaign, amount, by):
    """A bank-transfer gift to a campaign, recorded through the donations service (sends campaign_totals_changed)."""
    from fund.donations.offline import donation_record_offline
    from fund.donations.services import donor_get_or_create

    donor = donor_get_or_create(email="giver@example.org", name="Grace Giver")
    return donation_record_offline(
        donor=donor,
        fund=campaign.fund,
        campaign=campaign,
        amount=Decimal(amount),
        method="bank_transfer",
        received_on=timezone.localdate(),
        by=by,
    )


def translate_page(page, language, **fields):
    """Publish a translation of `page` in `language` with `fields` changed (its parent must be translated already,
    as an editor does with "Translate this page" and the default "translate child pages" off)."""
    from wagtail.models import Locale

    locale, _ = Locale.objects.get_or_create(language_code=language)
    translation = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation
