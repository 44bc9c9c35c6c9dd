"""Demo: the Millbrook Resilience Society, a second, small Canadian fund (CAD, bilingual), and a French-speaking donor
who gave online and received an official CRA receipt in French. Made like any gift: a pending donation started from
the donate form in French, its Checkout Session recorded as paid, then the receipt issued. Idempotent."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from fund.models import Fund
from portal.money import to_minor_units

from . import services
from .models import Donation
from .receipts import receipt_issue_for_donation

SESSION_ID = "cs_demo_ca_0001"


def seed(ctx):
    fund, created = Fund.objects.get_or_create(
        slug="millbrook-resilience-society",
        defaults={
            "name": "Millbrook Resilience Society",
            "currency": "CAD",
            "jurisdiction": "CA",
            "language": "en",
            "legal_name": "Millbrook Resilience Society / Société de résilience de Millbrook",
            "charity_number": "123456789RR0001",
            "address": "200 King Street\nMillbrook, ON K1A 0B1",
            "email": "bonjour@millbrook-fund.example",
            "website": "https://millbrook-fund.example",
            "signatory_name": "Jamie Ortiz",
            "signatory_title": "Executive Director / Directrice générale",
            "description": "A small Canadian fund of the Millbrook coalition; it works in English and French.",
        },
    )
    ctx.note("funds", created)
    ctx.objects["canadian_fund"] = fund
    donation = Donation.objects.filter(stripe_checkout_session_id=SESSION_ID).first()
    if donation is None:
        donation = services.donation_create_pending(
            fund=fund,
            gift=Decimal("150.00"),
            cover_fee=False,
            monthly=False,
            email="camille.tremblay@demo.millbrook-fund.example",
            name="Camille Tremblay",
            address={
                "address_line1": "12 rue des Érables",
                "city": "Millbrook",
                "region": "ON",
                "postal_code": "K1A 0C3",
            },
            language="fr",
        )
        Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=SESSION_ID)
        session = {
            "id": SESSION_ID,
            "client_reference_id": str(donation.pk),
            "amount_total": to_minor_units(donation.amount),
            "currency": "cad",
            "status": "complete",
            "payment_status": "paid",
            "customer": "cus_demo_ca_0001",
            "payment_intent": "pi_demo_ca_0001",
            "subscription": None,
            "invoice": None,
        }
        received = timezone.make_aware(datetime.combine(ctx.today - timedelta(days=8), time(19, 30)))
        donation = services.donation_record_from_checkout(session=session, received_at=received)
        ctx.note("donations", True)
    receipt_issue_for_donation(donation=donation, send=False)
