"""The one door to Stripe. Amounts cross it in minor units; everything else in the app uses Decimal."""

import functools

import stripe
from django.conf import settings
from django.urls import reverse

from portal.money import to_minor_units

# Checkout's own locales among the portal's languages (Stripe lists "en", "es", "fr" and "fr-CA").
CHECKOUT_LOCALES = ("en", "es", "fr")


class StripeNotConfigured(Exception):
    pass


def get_client() -> "stripe.StripeClient":
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set.")
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_VERSION, settings.STRIPE_API_BASE)


@functools.lru_cache(maxsize=4)
def _client(api_key: str, version: str, api_base: str) -> "stripe.StripeClient":
    # One client per configuration, so its HTTP connections are reused between calls.
    kwargs = {"stripe_version": version}
    if api_base:
        kwargs["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(api_key, max_network_retries=2, **kwargs)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def checkout_locale(donation) -> str:
    """The language Stripe's hosted Checkout speaks: the one the gift was made in (Canadian French for a CAD fund),
    or Stripe's own guess from the browser when the gift recorded none."""
    language = (donation.language or "").split("-")[0].lower()
    if language == "fr" and donation.currency == "CAD":
        return "fr-CA"
    return language if language in CHECKOUT_LOCALES else "auto"


def checkout_params(donation, *, monthly: bool, success_path=None, cancel_path=None) -> dict:
    """Checkout Session parameters for a pending donation (payment mode, or subscription mode for monthly gifts)."""
    campaign = donation.campaign
    name = str(campaign.title if campaign else donation.fund.name)
    metadata = {
        "donation_id": str(donation.pk),
        "fund": donation.fund.slug,
        "campaign": campaign.slug if campaign else "",
    }
    price_data = {
        "currency": donation.currency.lower(),
        "unit_amount": to_minor_units(donation.amount, donation.currency),
        "product_data": {"name": f"Donation: {name}"[:250]},
    }
    if monthly:
        price_data["recurring"] = {"interval": "month"}
    success = _site(success_path or reverse("donations:thanks")) + "?session_id={CHECKOUT_SESSION_ID}"
    params = {
        "mode": "subscription" if monthly else "payment",
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "client_reference_id": str(donation.pk),
        "customer_email": donation.donor.email,
        "success_url": success,
        # Back out of Checkout to the same campaign's form, not the general one.
        "cancel_url": _site(
            cancel_path or reverse("donations:donate") + (f"?campaign={campaign.slug}" if campaign else "")
        ),
        "metadata": metadata,
        "locale": checkout_locale(donation),
    }
    if donation.donor.stripe_customer_id:
        params.pop("customer_email")
        params["customer"] = donation.donor.stripe_customer_id
    if monthly:
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": metadata}
    return params


def checkout_session_create(donation, *, monthly: bool):
    """Create the Checkout Session. The key is deterministic, so a retry returns the same session."""
    return get_client().v1.checkout.sessions.create(
        checkout_params(donation, monthly=monthly),
        options={"idempotency_key": f"donation-{donation.pk}-checkout"},
    )


def checkout_session_retrieve(session_id: str):
    return get_client().v1.checkout.sessions.retrieve(session_id)


def invoice_payment_intent_id(invoice_id: str) -> str | None:
    """The PaymentIntent that paid an invoice. Since API version 2025-03-31.basil the invoice no longer names it:
    it is on the invoice's paid InvoicePayment. Refunds and disputes of monthly gifts arrive by that id."""
    payments = get_client().v1.invoice_payments.list({"invoice": invoice_id, "status": "paid", "limit": 1})
    for payment in payments.data:
        intent = (as_dict(payment).get("payment") or {}).get("payment_intent")
        return intent if isinstance(intent, str) or intent is None else intent.get("id")
    return None


def invoice_id_for_payment_intent(payment_intent_id: str) -> str | None:
    """The invoice a PaymentIntent paid, if any (the other way round, for a refund of an older monthly gift)."""
    payments = get_client().v1.invoice_payments.list(
        {"payment": {"type": "payment_intent", "payment_intent": payment_intent_id}, "limit": 1}
    )
    for payment in payments.data:
        invoice = as_dict(payment).get("invoice")
        return invoice if isinstance(invoice, str) or invoice is None else invoice.get("id")
    return None


def checkout_sessions_list(*, created_gte: int, limit: int = 100):
    client = get_client()
    return client.v1.checkout.sessions.list({"created": {"gte": created_gte}, "limit": limit}).auto_paging_iter()


def events_list(*, created_gte: int, limit: int = 100):
    client = get_client()
    return client.v1.events.list({"created": {"gte": created_gte}, "limit": limit}).auto_paging_iter()


def balance_transactions_list(*, created_gte: int | None = None, payout: str | None = None, limit: int = 100):
    """Balance transactions (every charge with Stripe's actual fee, refunds, dispute movements, payouts), each with
    its source object expanded so a charge names its PaymentIntent and a dispute its charge."""
    params = {"limit": limit, "expand": ["data.source"]}
    if payout:
        params["payout"] = payout
    if created_gte is not None:
        params["created"] = {"gte": created_gte}
    return get_client().v1.balance_transactions.list(params).auto_paging_iter()


def payouts_list(*, created_gte: int, limit: int = 100):
    return get_client().v1.payouts.list({"created": {"gte": created_gte}, "limit": limit}).auto_paging_iter()


def refund_create(*, payment_intent: str, amount: int, idempotency_key: str, metadata: dict | None = None):
    """Refund part or all of a gift's charge. The key is the refund request's own, so a retry never refunds twice."""
    return get_client().v1.refunds.create(
        {"payment_intent": payment_intent, "amount": amount, "metadata": metadata or {}},
        options={"idempotency_key": idempotency_key},
    )


def charge_retrieve(charge_id: str):
    return get_client().v1.charges.retrieve(charge_id)


def billing_portal_session_create(*, customer_id: str, return_url: str):
    return get_client().v1.billing_portal.sessions.create({"customer": customer_id, "return_url": return_url})


def as_dict(obj) -> dict:
    """A Stripe object (or a plain dict from a webhook payload) as a plain dict."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


def customer_delete(customer_id: str) -> None:
    """Delete a customer at Stripe (the erasure of a donor): Stripe then forgets their email, name and cards and cancels
    their subscriptions. A customer Stripe no longer knows is already what we want."""
    try:
        get_client().v1.customers.delete(customer_id)
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "code", None) != "resource_missing":
            raise
