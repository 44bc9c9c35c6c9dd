"""Signals other apps listen to. `campaign_totals_changed(campaign=...)` is sent after commit whenever a gift's status or
amount changes, so the cms can drop its cached campaign pages (campaign is None for general-fund gifts)."""

from django.db import transaction
from django.dispatch import Signal

campaign_totals_changed = Signal()


def send_totals_changed_on_commit(donation):
    campaign_id = donation.campaign_id

    def send():
        from fund.models import Campaign

        campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
        campaign_totals_changed.send(sender=type(donation), campaign=campaign)

    transaction.on_commit(send)
