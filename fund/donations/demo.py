"""Demo donors and gifts, recorded through the same services as real ones (fake Stripe ids like "cs_demo_0001"),
so the ledger, receipts and campaign totals are right. Deterministic (own random stream, dates relative to today)
and idempotent (natural keys: Stripe ids, pledge reference, bank reference)."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from fund import banking
from fund.models import BankStatement, LedgerTransaction
from portal.money import to_minor_units

from . import accounting, offline, payouts, services
from .models import RECEIVED_STATUSES, Donation, DonationAdjustment, Donor, Pledge, RecurringDonation, StripePayout
from .receipts import receipt_issue_for_donation

FIRST = [
    "Amara",
    "Ben",
    "Carmen",
    "Dev",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yara",
    "Zane",
    "Aiko",
    "Bruno",
    "Chloe",
    "Diego",
]
LAST = [
    "Abbott",
    "Brennan",
    "Castillo",
    "Dube",
    "Eriksen",
    "Fontaine",
    "Goldberg",
    "Haddad",
    "Ibarra",
    "Jensen",
    "Kaur",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okoye",
    "Petrov",
    "Quispe",
    "Rahman",
    "Sato",
    "Thompson",
]
ADDRESS = {"address_line1": "", "city": "Millbrook", "region": "PA", "postal_code": "19000"}


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Seeder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng_for("donations")
        self.fund = ctx.objects["fund"]
        self.campaigns = ctx.objects["campaigns"]
        self.today = ctx.today
        self.serial = 0
        self.recorded = []

    def session_id(self):
        self.serial += 1
        return f"cs_demo_{self.serial:04d}"

    def donor(self, i):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
        address = {**ADDRESS, "address_line1": f"{10 + i} {['Mill', 'River', 'Cedar', 'Harbor'][i % 4]} Street"}
        donor = services.donor_get_or_create(
            email=f"donor{i:02d}@demo.millbrook-fund.example", name=name, address=address
        )
        self.ctx.note("donors", donor.created_at >= self.started)
        return donor

    def gift(self, donor, *, amount, day, campaign=None, monthly=False, anonymous=False, cover_fee=False, **extra):
        """A one-time (or first monthly) card gift: pending donation, then the Checkout Session recorded as paid."""
        sid = self.session_id()
        existing = Donation.objects.filter(stripe_checkout_session_id=sid).first()
        if existing:
            return existing
        donation = services.donation_create_pending(
            fund=self.fund,
            campaign=campaign,
            gift=Decimal(amount),
            cover_fee=cover_fee,
            monthly=monthly,
            email=donor.email,
            name=donor.name,
            address={"address_line1": donor.address_line1, "city": donor.city, "postal_code": donor.postal_code},
            anonymous=anonymous,
            **extra,
        )
        Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=sid)
        n = sid.rsplit("_", 1)[1]
        session = {
            "id": sid,
            "client_reference_id": str(donation.pk),
            "amount_total": to_minor_units(donation.amount),
            "currency": donation.currency.lower(),
            "status": "complete",
            "payment_status": "paid",
            # Monthly gifts too carry their PaymentIntent here, so seeding asks Stripe for nothing.
            "customer": f"cus_demo_{donor.pk:04d}",
            "payment_intent": f"pi_demo_{n}",
            "subscription": f"sub_demo_{n}" if monthly else None,
            "invoice": f"in_demo_{n}_01" if monthly else None,
        }
        donation = services.donation_record_from_checkout(session=session, received_at=_at(day))
        self.ctx.note("donations", True)
        self.recorded.append(donation)
        return donation

    def monthly(self, donor, *, amount, months, campaign=None, anonymous=False):
        first_day = self.today - timedelta(days=30 * (months - 1) + 3)
        first = self.gift(donor, amount=amount, day=first_day, campaign=campaign, monthly=True, anonymous=anonymous)
        sub = first.recurring.stripe_subscription_id
        for m in range(2, months + 1):
            invoice_id = f"{first.stripe_invoice_id[:-3]}_{m:02d}"
            if Donation.objects.filter(stripe_invoice_id=invoice_id).exists():
                continue
            invoice = {
                "id": invoice_id,
                "subscription": sub,
                "billing_reason": "subscription_cycle",
                "amount_paid": to_minor_units(first.amount),
                "currency": first.currency.lower(),
                "payment_intent": f"pi_demo_{invoice_id[len('in_demo_') :]}",
            }
            self.recorded.append(
                services.donation_record_invoice(
                    invoice=invoice, received_at=_at(first_day + timedelta(days=30 * (m - 1)))
                )
            )
            self.ctx.note("donations", True)

    def spread(self, start, end):
        span = max((end - start).days, 1)
        return start + timedelta(days=self.rng.randrange(span))


def seed(ctx):
    s = _Seeder(ctx)
    s.started = timezone.now()
    rng, today = s.rng, ctx.today
    naloxone, winter = s.campaigns["naloxone"], s.campaigns["winter"]
    donors = [s.donor(i) for i in range(56)]

    # The demo donor login: a Donor record with several gifts and a monthly gift.
    user = ctx.users["donor"]
    eleanor = services.donor_get_or_create(
        email=user.email, name=user.get_full_name(), user=user, address={**ADDRESS, "address_line1": "4 Orchard Lane"}
    )
    if eleanor.user_id is None:
        services.donor_link_user(donor=eleanor, user=user)

    # Peer Support Winter Appeal: ended, met its $80,000 goal.
    w_start, w_end = (
        timezone.localtime(winter.starts_at).date(),
        timezone.localtime(winter.ends_at).date() - timedelta(days=1),
    )
    for i in range(56):
        s.gift(
            donors[i],
            amount=rng.choice([20, 40, 40, 100, 200, 500]),
            day=s.spread(w_start, w_end),
            campaign=winter,
            anonymous=rng.random() < 0.1,
            cover_fee=rng.random() < 0.4,
        )
    s.gift(eleanor, amount=250, day=w_start + timedelta(days=20), campaign=winter, cover_fee=True)
    for i, amount in enumerate([25000, 20000, 15000]):
        s.gift(
            donors[i * 5], amount=amount, day=w_start + timedelta(days=30 + i * 15), campaign=winter, anonymous=i == 1
        )
    from .selectors import campaign_progress

    shortfall = Decimal("80500.00") - campaign_progress(winter)["raised"]
    if shortfall > 0 and not Donation.objects.filter(reference="DEMO-WINTER-MATCH").exists():
        match = offline.donation_record_offline(
            donor=donors[3],
            fund=s.fund,
            campaign=winter,
            amount=shortfall,
            method="cheque",
            received_on=w_end,
            reference="DEMO-WINTER-MATCH",
            by=ctx.users["finance_1"],
        )
        s.recorded.append(match)

    # Naloxone in Every Pocket: running, partly raised.
    n_start = timezone.localtime(naloxone.starts_at).date()
    for i in range(40):
        s.gift(
            donors[(i * 3) % 56],
            amount=rng.choice([25, 50, 50, 100, 250, 500]),
            day=s.spread(n_start, today),
            campaign=naloxone,
            anonymous=rng.random() < 0.12,
            cover_fee=rng.random() < 0.5,
        )
    s.gift(
        donors[7],
        amount=100,
        day=n_start + timedelta(days=9),
        campaign=naloxone,
        dedication_type="memory",
        dedication_name="Daniel Okafor",
        dedication_notify_email="okafor.family@demo.millbrook-fund.example",
    )
    s.gift(eleanor, amount=500, day=today - timedelta(days=12), campaign=naloxone)

    # General fund over the last two years, one gift refunded.
    for i in range(36):
        s.gift(
            donors[(i * 5 + 2) % 56],
            amount=rng.choice([30, 50, 75, 100, 150, 1000]),
            day=today - timedelta(days=rng.randrange(30, 720)),
            anonymous=rng.random() < 0.1,
        )
    s.gift(eleanor, amount=150, day=today - timedelta(days=400))
    refunded = s.gift(donors[11], amount=200, day=today - timedelta(days=90))
    services.donation_record_refund(
        charge={
            "id": "ch_demo_refund_0001",
            "payment_intent": refunded.stripe_payment_intent_id,
            "amount_refunded": to_minor_units(refunded.amount),
        }
    )

    # Monthly donors.
    for i, (amount, months, campaign) in enumerate(
        [(20, 8, None), (10, 12, None), (25, 6, naloxone), (50, 4, None), (15, 10, None)]
    ):
        s.monthly(donors[40 + i], amount=amount, months=months, campaign=campaign, anonymous=i == 3)
    s.monthly(eleanor, amount=35, months=5)

    # The Hartley Family Foundation's $100,000 pledge to naloxone, paid in quarterly instalments (two paid so far).
    hartley = services.donor_get_or_create(
        email="grants@hartley-foundation.demo.millbrook-fund.example",
        name="Hartley Family Foundation",
        address={**ADDRESS, "address_line1": "1 Foundation Plaza"},
    )
    finance = ctx.users["finance_1"]
    pledge = Pledge.objects.filter(reference="DEMO-PLEDGE-HARTLEY").first()
    if pledge is None:
        pledge = offline.pledge_create(
            donor=hartley,
            fund=s.fund,
            campaign=naloxone,
            amount="100000.00",
            pledged_on=n_start - timedelta(days=95),
            schedule=[(n_start - timedelta(days=80) + timedelta(days=90 * k), "25000.00") for k in range(4)],
            by=finance,
            note="Four quarterly instalments by bank transfer.",
            reference="DEMO-PLEDGE-HARTLEY",
        )
        ctx.note("pledges", True)
    for instalment in pledge.instalments.filter(due_date__lte=today, donation__isnull=True):
        s.recorded.append(
            offline.pledge_instalment_pay(
                instalment=instalment,
                method="bank_transfer",
                received_on=instalment.due_date,
                by=finance,
                reference=f"HARTLEY-{instalment.sequence}",
            )
        )

    # Millbrook Regional Health System: an offline gift by bank transfer.
    hospital = services.donor_get_or_create(
        email="community.benefit@mrhs.demo.millbrook-fund.example",
        name="Millbrook Regional Health System",
        address={**ADDRESS, "address_line1": "500 Hospital Drive"},
    )
    if not Donation.objects.filter(reference="DEMO-MRHS-WIRE-001").exists():
        s.recorded.append(
            offline.donation_record_offline(
                donor=hospital,
                fund=s.fund,
                campaign=naloxone,
                amount="25000.00",
                method="bank_transfer",
                received_on=today - timedelta(days=20),
                reference="DEMO-MRHS-WIRE-001",
                by=finance,
            )
        )
    Donor.objects.filter(pk__in=[hartley.pk, hospital.pk]).update(is_organisation=True)

    # A gift of listed shares: held in non-cash assets (not available to award) until sold, then cash at the proceeds.
    stock = Donation.objects.filter(reference="DEMO-STOCK-EXIF").first()
    if stock is None:
        stock = offline.donation_record_offline(
            donor=donors[9],
            fund=s.fund,
            amount="8000.00",
            method="stock",
            received_on=today - timedelta(days=75),
            description="40 shares of Example Index Fund (EXIF)",
            reference="DEMO-STOCK-EXIF",
            by=finance,
        )
        s.recorded.append(stock)
    if accounting.noncash_sale(stock) is None:
        offline.offline_gift_record_sale(
            donation=stock, proceeds="8212.40", sold_on=today - timedelta(days=70), by=finance
        )

    # Receipts (not emailed in the demo).
    for donation in s.recorded:
        receipt_issue_for_donation(donation=donation, send=False)
    ctx.objects["donor"] = eleanor
    ctx.objects["monthly_gifts"] = RecurringDonation.objects.filter(stripe_subscription_id__startswith="sub_demo_")
    seed_stripe_payouts(ctx)
    seed_bank_statement(ctx)


# --- Stripe to bank: payouts imported, a bank statement matched ------------------------------------------------------


def _minor(amount):
    return to_minor_units(amount)


def _timestamp(day):
    return int(_at(day, 12).timestamp())


def _charge_bt(donation):
    """The balance transaction Stripe would list for a demo card gift; one gift in nine was an international card,
    for which Stripe kept 1.5% more than the fee estimated at checkout."""
    n = donation.stripe_payment_intent_id[len("pi_demo_") :]
    fee = donation.fee_amount
    if int(n[:4]) % 9 == 0:
        fee = fee + (donation.amount * Decimal("0.015")).quantize(Decimal("0.01"))
    day = timezone.localtime(donation.received_at).date()
    return day, {
        "id": f"txn_demo_{n}",
        "object": "balance_transaction",
        "type": "charge",
        "reporting_category": "charge",
        "amount": _minor(donation.amount),
        "fee": _minor(fee),
        "net": _minor(donation.amount) - _minor(fee),
        "currency": donation.currency.lower(),
        "created": _timestamp(day),
        "source": {"object": "charge", "id": f"ch_demo_{n}", "payment_intent": donation.stripe_payment_intent_id},
    }


def _refund_bts(fund, today):
    rows = []
    for adjustment in DonationAdjustment.objects.filter(donation__fund=fund, kind="refund").select_related("donation"):
        day = today - timedelta(days=85)
        charge = adjustment.stripe_ref.split(":")[0]
        rows.append(
            (
                day,
                {
                    "id": f"txn_demo_re_{adjustment.pk}",
                    "object": "balance_transaction",
                    "type": "refund",
                    "reporting_category": "refund",
                    "amount": -_minor(adjustment.amount),
                    "fee": 0,
                    "net": -_minor(adjustment.amount),
                    "currency": adjustment.donation.currency.lower(),
                    "created": _timestamp(day),
                    "source": {
                        "object": "refund",
                        "id": f"re_demo_{adjustment.pk}",
                        "charge": charge,
                        "payment_intent": adjustment.donation.stripe_payment_intent_id,
                    },
                },
            )
        )
    return rows


def seed_stripe_payouts(ctx):
    """Stripe's side of the demo gifts, imported as `stripe_reconcile` imports it: every card gift's balance
    transaction (actual fees), weekly payouts every Friday up to today (money available two days after the gift),
    and the last few days' gifts still in the Stripe balance."""
    fund, today = ctx.objects["fund"], ctx.today
    if StripePayout.objects.filter(stripe_id__startswith="po_demo_").exists():
        return
    card = Donation.objects.filter(
        fund=fund, method="stripe", status__in=RECEIVED_STATUSES, stripe_payment_intent_id__startswith="pi_demo_"
    ).order_by("received_at", "pk")
    pending = sorted(
        [_charge_bt(d) for d in card] + _refund_bts(fund, today), key=lambda item: (item[0], item[1]["id"])
    )
    if not pending:
        return
    friday = pending[0][0] + timedelta(days=(4 - pending[0][0].weekday()) % 7)
    while friday <= today and pending:
        swept = [bt for day, bt in pending if day <= friday - timedelta(days=2)]
        net = sum(bt["net"] for bt in swept)
        if swept and net > 0:
            payout = {
                "id": f"po_demo_{friday:%Y%m%d}",
                "object": "payout",
                "amount": net,
                "currency": fund.currency.lower(),
                "status": "paid",
                "arrival_date": _timestamp(friday),
                "created": _timestamp(friday - timedelta(days=2)),
            }
            payouts.payout_import(payout=payout, balance_transactions=swept)
            ctx.note("Stripe payouts", True)
            pending = [(day, bt) for day, bt in pending if bt not in swept]
        friday += timedelta(days=7)
    for _day, bt in pending:
        payouts.balance_transaction_import(bt=bt)


def seed_bank_statement(ctx):
    """The last six weeks of the fund's bank account as the bank exports it (CSV), imported and matched: payouts,
    gifts by cheque and transfer, pledge instalments, the grant payment batch in one debit; the bank's own monthly fee
    is the line finance still has to explain."""
    fund, today, finance = ctx.objects["fund"], ctx.today, ctx.users["finance_1"]
    if BankStatement.objects.filter(fund=fund, filename="demo-statement.csv").exists():
        return
    start = today - timedelta(days=42)
    rows = []
    grants = {}
    for txn in banking.cash_movements(fund, unmatched_only=False).filter(effective_date__range=(start, today)):
        if txn.kind == LedgerTransaction.Kind.DISBURSEMENT_PAID:
            grants[txn.effective_date] = grants.get(txn.effective_date, Decimal("0.00")) + txn.cash
            continue
        label = {
            LedgerTransaction.Kind.PAYOUT: "STRIPE PAYMENTS PAYOUT",
            LedgerTransaction.Kind.OFFLINE_GIFT: "DEPOSIT",
            LedgerTransaction.Kind.PLEDGE_PAYMENT: "INCOMING WIRE",
            LedgerTransaction.Kind.NONCASH_SALE: "BROKERAGE PROCEEDS",
        }.get(txn.kind, "BANK ENTRY")
        rows.append((txn.effective_date, label, txn.cash, f"L{txn.pk}"))
    for day, total in grants.items():
        rows.append((day, "ACH ORIGINATION GRANTS", total, "PB"))
    rows.append((today - timedelta(days=2), "MONTHLY ACCOUNT SERVICE FEE", Decimal("-25.00"), "FEE"))
    lines = ["Date,Description,Amount,Reference"] + [
        f"{day.isoformat()},{label},{amount:.2f},{ref}" for day, label, amount, ref in sorted(rows)
    ]
    banking.bank_statement_import(
        fund=fund,
        csv_text="\n".join(lines) + "\n",
        mapping=banking.ColumnMapping(reference="Reference"),
        by=finance,
        filename="demo-statement.csv",
    )
    ctx.note("bank statements", True)
