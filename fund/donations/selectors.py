"""Reads: campaign progress for the public site, donor history, staff listings. Anonymous donors are never named publicly."""

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from portal.money import ZERO, money

from .models import RECEIVED_STATUSES, Donation, Donor, PledgeInstalment, Receipt


def received_donations():
    return Donation.objects.filter(status__in=RECEIVED_STATUSES)


def campaign_progress(campaign) -> dict:
    """Raised (received gifts net of refunds), distinct donors, goal, percent of goal, days left, currency. One query."""
    row = received_donations().filter(campaign=campaign).aggregate(
        raised=Sum(F("amount") - F("refunded_amount")), donors=Count("donor", distinct=True)
    )
    raised = money(row["raised"] or ZERO)
    goal = money(campaign.goal or ZERO)
    percent = int(min(raised * 100 / goal, 100)) if goal > 0 else 0
    days_left = None
    if campaign.ends_at:
        days_left = max((campaign.ends_at - timezone.now()).days, 0)
    return {"raised": raised, "donors": row["donors"] or 0, "goal": goal, "percent": percent, "days_left": days_left,
            "currency": campaign.fund.currency}


def recent_public_gifts(*, campaign=None, limit=10) -> list[dict]:
    """Recent gifts for a public wall: anonymous gifts show no name."""
    qs = received_donations().select_related("donor").order_by("-received_at")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return [
        {"name": None if d.anonymous else (d.donor_name or d.donor.name), "amount": d.amount, "currency": d.currency,
         "received_at": d.received_at}
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
    return (
        received_donations().filter(donor=donor, received_at__date__gte=start, received_at__date__lte=end)
        .select_related("fund", "campaign").order_by("received_at", "pk")
    )


def receipt_for_donor(donor, receipt_id):
    return Receipt.objects.filter(pk=receipt_id, donation__donor=donor).select_related("donation").first()


def staff_donations(*, status="", method="", campaign="", q="", date_from=None, date_to=None):
    qs = Donation.objects.select_related("donor", "fund", "campaign").order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    if campaign == "general":
        qs = qs.filter(campaign__isnull=True)
    elif campaign:
        qs = qs.filter(campaign__slug=campaign)
    if q:
        cond = Q(donor__name__icontains=q) | Q(donor__email__icontains=q) | Q(reference__icontains=q) | Q(
            stripe_checkout_session_id=q) | Q(stripe_payment_intent_id=q)
        if q.isdigit():
            cond |= Q(pk=int(q))
        qs = qs.filter(cond)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs


def overdue_instalments(*, today=None):
    today = today or timezone.localdate()
    return (
        PledgeInstalment.objects.filter(donation__isnull=True, due_date__lt=today, pledge__status="open")
        .select_related("pledge", "pledge__donor", "pledge__campaign").order_by("due_date")
    )


def donor_totals(donor) -> dict:
    row = received_donations().filter(donor=donor).aggregate(total=Sum(F("amount") - F("refunded_amount")), gifts=Count("pk"))
    return {"total": money(row["total"] or ZERO), "gifts": row["gifts"]}
