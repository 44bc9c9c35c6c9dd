"""Reads: campaign progress for the public site, donor history, staff listings. Anonymous donors are never named publicly."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, Max, Prefetch, Q, Sum
from django.utils import timezone

from portal.money import ZERO, money

from .models import RECEIVED_STATUSES, Donation, Donor, Method, PledgeInstalment, Receipt, RecurringDonation


def received_donations():
    return Donation.objects.filter(status__in=RECEIVED_STATUSES)


def campaign_progress(campaign) -> dict:
    """Raised (received gifts net of refunds), distinct donors, goal, percent of goal, days left, currency. One query."""
    row = (
        received_donations()
        .filter(campaign=campaign)
        .aggregate(raised=Sum(F("amount") - F("refunded_amount")), donors=Count("donor", distinct=True))
    )
    raised = money(row["raised"] or ZERO)
    goal = money(campaign.goal or ZERO)
    percent = int(min(raised * 100 / goal, 100)) if goal > 0 else 0
    days_left = None
    if campaign.ends_at:
        days_left = max((campaign.ends_at - timezone.now()).days, 0)
    return {
        "raised": raised,
        "donors": row["donors"] or 0,
        "goal": goal,
        "percent": percent,
        "days_left": days_left,
        "currency": campaign.fund.currency,
    }


def recent_public_gifts(*, campaign=None, limit=10) -> list[dict]:
    """Recent gifts for a public wall: anonymous gifts show no name."""
    qs = received_donations().select_related("donor").order_by("-received_at")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return [
        {
            "name": None if d.anonymous else (d.donor_name or d.donor.name),
            "amount": d.amount,
            "currency": d.currency,
            "received_at": d.received_at,
        }
        for d in qs[:limit]
    ]


def donor_for_user(user) -> Donor | None:
    """The donor record of a signed-in user: linked, or matching a verified email address."""
    if not getattr(user, "is_authenticated", False):
        return None
    donor = Donor.objects.filter(user=user).first()
    if donor:
        return donor
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    emails = [e.lower() for e in verified]
    return Donor.objects.filter(email__in=emails, user__isnull=True).first() if emails else None


def donor_gifts(donor):
    return (
        Donation.objects.filter(donor=donor)
        .exclude(status__in=["pending", "canceled"])
        .select_related("fund", "campaign", "recurring")
        .prefetch_related("receipts")
        .order_by("-received_at", "-pk")
    )


def donor_statement_gifts(donor, *, start, end):
    """A donor's received gifts in a date range, with their live (issued) receipts: one query for all the receipts."""
    live_receipts = Receipt.objects.filter(status=Receipt.Status.ISSUED).only("pk", "donation_id", "serial", "status")
    return (
        received_donations()
        .filter(donor=donor, received_at__date__gte=start, received_at__date__lte=end)
        .select_related("fund", "campaign")
        .prefetch_related(Prefetch("receipts", queryset=live_receipts))
        .order_by("received_at", "pk")
    )


def receipt_for_donor(donor, receipt_id):
    return Receipt.objects.filter(pk=receipt_id, donation__donor=donor).select_related("donation").first()


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


# The staff list's order, matched by the index donation_created_desc (keyset pagination, see portal/keyset.py).
STAFF_DONATIONS_ORDER = ("-created_at", "-pk")
# A search matching at most this many donors looks their gifts up by donor id (an index); beyond, by a subquery.
DONOR_MATCH_LIMIT = 500


def _donor_match(q):
    """Gifts whose donor's name or email contains q. The donors are found first (trigram indexes on PostgreSQL, see
    migration donations 0012) and their ids given to the gifts' query, so the database can combine index lookups for
    the donor, the reference and the Stripe ids instead of reading every gift."""
    donors = Donor.objects.filter(Q(name__icontains=q) | Q(email__icontains=q))
    ids = list(donors.order_by().values_list("pk", flat=True)[: DONOR_MATCH_LIMIT + 1])
    return Q(donor_id__in=ids) if len(ids) <= DONOR_MATCH_LIMIT else Q(donor__in=donors.values("pk"))


def staff_donations(*, status="", method="", campaign="", q="", received_from=None, received_to=None):
    """Staff listing and export. The dates are the day the gift was received (local time), both days included; a gift
    not received yet (pending, failed) is in no received period. A search (q) costs one query more (the donors)."""
    qs = Donation.objects.select_related("donor", "fund", "campaign").order_by(*STAFF_DONATIONS_ORDER)
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    if campaign == "general":
        qs = qs.filter(campaign__isnull=True)
    elif campaign:
        qs = qs.filter(campaign__slug=campaign)
    if q:
        cond = (
            _donor_match(q)
            | Q(reference__icontains=q)
            | Q(stripe_checkout_session_id=q)
            | Q(stripe_payment_intent_id=q)
        )
        if q.isdigit():
            cond |= Q(pk=int(q))
        qs = qs.filter(cond)
    # Bounds on the column itself (not received_at__date) so the index on received_at is used.
    if received_from:
        qs = qs.filter(received_at__gte=_start_of_day(received_from))
    if received_to:
        qs = qs.filter(received_at__lt=_start_of_day(received_to + timedelta(days=1)))
    return qs


def staff_donor_gifts(donor):
    """Every gift of a donor, newest first, each with all its receipts (live and cancelled): two queries a page."""
    return (
        Donation.objects.filter(donor=donor)
        .select_related("campaign", "fund")
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by("issued_at", "pk")))
        .order_by("-created_at", "-pk")
    )


def staff_donor_recurring(donor):
    return RecurringDonation.objects.filter(donor=donor).select_related("campaign").order_by("-created_at", "-pk")


def overdue_instalments(*, today=None):
    today = today or timezone.localdate()
    return (
        PledgeInstalment.objects.filter(donation__isnull=True, due_date__lt=today, pledge__status="open")
        .select_related("pledge", "pledge__donor", "pledge__campaign")
        .order_by("due_date")
    )


def donor_totals(donor, *, for_the_donor: bool = False) -> dict:
    """Gifts received and their total. What the donor sees leaves out US gifts of securities, which are described to
    them but never valued (Donation.shown_without_value); staff see every gift at its booked value."""
    gifts = received_donations().filter(donor=donor)
    valued = gifts.exclude(method=Method.STOCK, fund__jurisdiction="US") if for_the_donor else gifts
    row = valued.aggregate(total=Sum(F("amount") - F("refunded_amount")), currency=Max("currency"))
    return {"total": money(row["total"] or ZERO), "currency": row["currency"] or "", "gifts": gifts.count()}


def donor_campaign_ids(donor) -> list[int]:
    """The campaigns this donor's received gifts went to."""
    return list(
        Donation.objects.filter(donor=donor, status__in=RECEIVED_STATUSES, campaign__isnull=False)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
