"""What donations holds about a donor: their donor record, gifts and receipts, monthly gifts and pledges (data rights).
Each section is a fixed number of queries, however many gifts there are."""

from portal.personal_data import log_entries_about, when

from .models import Donation, Donor, Pledge, RecurringDonation
from .selectors import donor_for_user

_UNSET = object()


def _donor(user):
    # Four sections ask for the same donor record: look it up once per export.
    donor = getattr(user, "_personal_data_donor", _UNSET)
    if donor is _UNSET:
        donor = donor_for_user(user)
        user._personal_data_donor = donor
    return donor


def collect_donor(user):
    donor = _donor(user)
    if donor is None:
        return []
    return [
        {
            "name": donor.name,
            "email": donor.email,
            "address": donor.address,
            "country": donor.country,
            "keep_my_name_private": donor.anonymous_by_default,
            "organisation": donor.is_organisation,
            "since": when(donor.created_at),
        }
    ]


def collect_donations(user):
    donor = _donor(user)
    if donor is None:
        return []
    donations = (
        Donation.objects.filter(donor=donor)
        .select_related("fund", "campaign")
        .prefetch_related("receipts")
        .order_by("created_at", "pk")
    )
    return [
        {
            "fund": d.fund.name,
            "campaign": d.campaign.title if d.campaign else "",
            "amount": d.amount,
            "currency": d.currency,
            "fee_covered": d.fee_covered,
            "refunded": d.refunded_amount,
            "status": d.get_status_display(),
            "method": d.get_method_display(),
            "received": when(d.received_at),
            "anonymous": d.anonymous,
            "name_on_receipt": d.donor_name,
            "address_on_receipt": d.donor_address,
            "dedicated_to": d.dedication_name,
            "dedication_notify_email": d.dedication_notify_email,
            "gift_aid": d.gift_aid,
            "receipts": [
                {"serial": r.serial, "amount": r.amount, "status": r.get_status_display(), "issued": when(r.issued_at)}
                for r in d.receipts.all()
            ],
        }
        for d in donations
    ]


def collect_recurring(user):
    donor = _donor(user)
    if donor is None:
        return []
    gifts = RecurringDonation.objects.filter(donor=donor).select_related("fund").order_by("created_at", "pk")
    return [
        {
            "fund": g.fund.name,
            "monthly_amount": g.amount,
            "currency": g.currency,
            "status": g.get_status_display(),
            "started": when(g.created_at),
            "cancelled": when(g.canceled_at),
        }
        for g in gifts
    ]


def collect_pledges(user):
    donor = _donor(user)
    if donor is None:
        return []
    pledges = Pledge.objects.filter(donor=donor).select_related("fund").order_by("pledged_on", "pk")
    return [
        {
            "fund": p.fund.name,
            "amount": p.amount,
            "currency": p.currency,
            "pledged_on": p.pledged_on,
            "status": p.get_status_display(),
            "note": p.note,
        }
        for p in pledges
    ]


def donor_audit_subjects(user):
    donor = _donor(user)
    return log_entries_about(Donor, [donor.pk] if donor else [])
