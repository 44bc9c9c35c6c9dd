"""What retires cached public pages, and what refreshes only the live figures in them. Connected in CmsConfig.ready().

Everything runs after commit and never raises (cms/cache.py and cms/live.py swallow cache errors): a cache that is
down can never roll back the change that caused the invalidation, least of all a ledger posting.

- Publishing, moving or deleting a page, saving an alert, site settings, a site, a fund, a page's view restriction, a
  campaign, a round, an organisation, a neighbourhood, an award or an approved application: every cached page is
  retired (they can show anywhere). A site, site settings, a fund or an alert also moves the generation of each
  process's copy of them (cms/sitestate.py), so those read fresh after any change.
- A gift, refund, dispute or pledge (its ledger posting, or `campaign_totals_changed`): only the live figures of that
  fund and its campaigns are refreshed; the pages stay cached.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Site

from . import live, sitestate
from .cache import forget_recent, invalidate_pages

# Ledger postings that move what the public pages show as "raised", and nothing else they show.
GIFT_POSTINGS = {
    "donation",
    "processing_fee",
    "refund",
    "dispute",
    "dispute_won",
    "offline_gift",
    "noncash_sale",
    "pledge",
    "pledge_payment",
    "payout",
}


def _on_commit(**_kwargs):
    # Now (an editor sees the change at once, even inside a test's transaction) and after commit: a visitor who
    # rendered the old content before the commit stored it under the generation it read first, retired by the second.
    # Neither can raise. Money postings never come here (see _ledger_posted).
    invalidate_pages()
    transaction.on_commit(invalidate_pages)


def _site_state_changed(**_kwargs):
    # As _on_commit: now, and after commit (a copy read between the two holds the old rows: the second retires it).
    sitestate.invalidate()
    transaction.on_commit(sitestate.invalidate)


def _page_changed(sender, instance=None, **_kwargs):
    # The copy of the sites holds each site's root page: a root page published or moved retires it.
    if instance is not None and Site.objects.filter(root_page_id=instance.pk).exists():
        _site_state_changed()


def refresh_fund_figures(fund_id):
    """Bump the live figures of a fund and of each of its campaigns."""
    from fund.models import Campaign

    live.bump("fund", fund_id)
    for campaign_id in Campaign.objects.filter(fund_id=fund_id).values_list("pk", flat=True):
        live.bump("campaign", campaign_id)
    forget_recent()


def _ledger_posted(sender, instance, created=False, **_kwargs):
    # Strictly after commit: nothing about the cache runs inside the transaction that records money.
    fund_id = instance.fund_id
    if instance.kind in GIFT_POSTINGS:
        transaction.on_commit(lambda: refresh_fund_figures(fund_id))
    else:
        transaction.on_commit(invalidate_pages)


def _campaign_totals_changed(sender, campaign=None, **_kwargs):
    # Sent after commit by the donations app.
    if campaign is not None:
        live.bump("campaign", campaign.pk)
        live.bump("fund", campaign.fund_id)
        forget_recent()


def _application_changed(sender, instance, **_kwargs):
    if getattr(instance, "status", None) == "approved":
        _on_commit()


def connect():
    from django.apps import apps
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from applicants.models import Neighbourhood, Organisation
    from fund.models import Campaign, Fund, LedgerTransaction
    from grants.models import Application, FundingRound

    from .models import Alert, SiteSettings

    page_published.connect(_on_commit, dispatch_uid="cms.cache.page_published")
    page_unpublished.connect(_on_commit, dispatch_uid="cms.cache.page_unpublished")
    post_page_move.connect(_on_commit, dispatch_uid="cms.cache.page_moved")
    post_delete.connect(_on_commit, sender=Page, dispatch_uid="cms.cache.page_deleted")
    # An organisation (its name, whether it may be named, its neighbourhood) or a neighbourhood shows on the grants
    # directory, the grant pages and open data: opting out of being named must take effect at once, not on expiry.
    # A site, a fund (its name and currency show on every page) and a view restriction (a page made private must
    # leave the page cache at once) likewise.
    for model in (
        Alert,
        SiteSettings,
        Site,
        Fund,
        PageViewRestriction,
        Campaign,
        FundingRound,
        Organisation,
        Neighbourhood,
    ):
        post_save.connect(_on_commit, sender=model, dispatch_uid=f"cms.cache.save.{model._meta.label}")
        post_delete.connect(_on_commit, sender=model, dispatch_uid=f"cms.cache.delete.{model._meta.label}")
    page_published.connect(_page_changed, dispatch_uid="cms.sitestate.page_published")
    post_page_move.connect(_page_changed, dispatch_uid="cms.sitestate.page_moved")
    for model in (Site, SiteSettings, Fund, Alert):
        post_save.connect(_site_state_changed, sender=model, dispatch_uid=f"cms.sitestate.save.{model._meta.label}")
        post_delete.connect(_site_state_changed, sender=model, dispatch_uid=f"cms.sitestate.delete.{model._meta.label}")
    # Money movements: a gift refreshes only the figures that show it; awards and payments can show anywhere.
    post_save.connect(_ledger_posted, sender=LedgerTransaction, dispatch_uid="cms.cache.ledger")
    post_save.connect(_application_changed, sender=Application, dispatch_uid="cms.cache.application")
    try:
        Award = apps.get_model("awards", "Award")
    except LookupError:
        Award = None
    if Award is not None:
        post_save.connect(_on_commit, sender=Award, dispatch_uid="cms.cache.award")
    try:
        from fund.donations.signals import campaign_totals_changed
    except ImportError:
        campaign_totals_changed = None
    if campaign_totals_changed is not None:
        campaign_totals_changed.connect(_campaign_totals_changed, dispatch_uid="cms.cache.campaign_totals")
