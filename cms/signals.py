"""What retires cached public pages. Connected in CmsConfig.ready()."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .cache import invalidate_pages


def _on_commit(**_kwargs):
    # Now, and again after commit: a visitor who re-cached the old figures before the commit sees them retired too.
    invalidate_pages()
    transaction.on_commit(invalidate_pages)


def _application_changed(sender, instance, **_kwargs):
    if getattr(instance, "status", None) == "approved":
        _on_commit()


def connect():
    from django.apps import apps
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from fund.models import Campaign, LedgerTransaction
    from grants.models import Application, FundingRound

    from .models import Alert, SiteSettings

    page_published.connect(invalidate_pages, dispatch_uid="cms.cache.page_published")
    page_unpublished.connect(invalidate_pages, dispatch_uid="cms.cache.page_unpublished")
    post_page_move.connect(invalidate_pages, dispatch_uid="cms.cache.page_moved")
    post_delete.connect(_on_commit, sender=Page, dispatch_uid="cms.cache.page_deleted")
    for model in (Alert, SiteSettings, Campaign, FundingRound):
        post_save.connect(_on_commit, sender=model, dispatch_uid=f"cms.cache.save.{model._meta.label}")
        post_delete.connect(_on_commit, sender=model, dispatch_uid=f"cms.cache.delete.{model._meta.label}")
    # Any money movement (gift, refund, award, payment) can change totals shown on public pages.
    post_save.connect(_on_commit, sender=LedgerTransaction, dispatch_uid="cms.cache.ledger")
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
        campaign_totals_changed.connect(_on_commit, dispatch_uid="cms.cache.campaign_totals")
