"""Every write about gifts: starting a checkout and recording what Stripe tells us, exactly once.

The events consumer, the success redirect and `stripe_reconcile` all end in the same functions. Each re-reads the
donation under `select_for_update`, returns early when the work is already done, and relies on unique Stripe ids and
the ledger's one-posting-per-source constraint as the backstop. Events that arrive before the gift they refer to raise
`WaitForRecording`; the events layer parks them and replays them when the gift is recorded.

One public surface, split by subdomain: donors, checkout (one-time and first monthly payment), monthly (renewals and
subscriptions), refunds (refunds and disputes).
"""

from .checkout import (
    donation_create_pending,
    donation_mark_expired,
    donation_mark_payment_failed,
    donation_record_from_checkout,
    donation_start_checkout,
)
from .common import DonationError, UnknownSession, WaitForRecording
from .donors import ADDRESS_FIELDS, donor_get_or_create, donor_link_user, donor_update_address
from .monthly import SUBSCRIPTION_STATUS, donation_record_invoice, recurring_update_from_stripe, subscription_id_of
from .refunds import donation_record_dispute, donation_record_refund

__all__ = [
    "ADDRESS_FIELDS",
    "SUBSCRIPTION_STATUS",
    "DonationError",
    "UnknownSession",
    "WaitForRecording",
    "donation_create_pending",
    "donation_mark_expired",
    "donation_mark_payment_failed",
    "donation_record_dispute",
    "donation_record_from_checkout",
    "donation_record_invoice",
    "donation_record_refund",
    "donation_start_checkout",
    "donor_get_or_create",
    "donor_link_user",
    "donor_update_address",
    "recurring_update_from_stripe",
    "subscription_id_of",
]
