"""Staff-recorded gifts: cheques, bank transfers, stock, and major-gift pledges with instalment schedules."""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.money import ZERO, money

from . import accounting
from .models import Donation, DonationStatus, Method, Pledge, PledgeInstalment
from .signals import send_totals_changed_on_commit


class OfflineGiftError(Exception):
    pass


def _received_at(day: date):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _queue_receipt(donation):
    from .tasks import receipt_issue_task

    donation_id = donation.pk
    transaction.on_commit(lambda: receipt_issue_task.enqueue(donation_id))


def donation_record_offline(
    *, donor, fund, campaign=None, amount, method: str, received_on: date, by, reference: str = "", description: str = "",
    advantage_amount=ZERO, anonymous: bool = False,
) -> Donation:
    """A cheque, bank transfer, stock or other gift received outside Stripe: Dr cash / Cr donations revenue, and a receipt.
    Stock gifts need a description; US receipts state no value for them."""
    amount = money(amount)
    if method == Method.STRIPE or method not in Method.values:
        raise OfflineGiftError(_("Choose how the gift was received."))
    if amount <= 0:
        raise OfflineGiftError(_("The amount must be positive."))
    if method == Method.STOCK and not description:
        raise OfflineGiftError(_("Describe the stock gift (security and number of shares)."))
    if campaign is not None and campaign.fund_id != fund.pk:
        raise OfflineGiftError(_("That campaign belongs to another fund."))
    with transaction.atomic():
        donation = Donation.objects.create(
            donor=donor, fund=fund, campaign=campaign, amount=amount, currency=fund.currency, net_amount=amount,
            method=method, status=DonationStatus.SUCCEEDED, received_at=_received_at(received_on), reference=reference,
            description=description, advantage_amount=money(advantage_amount), donor_name=donor.name,
            donor_address=donor.address, anonymous=anonymous or donor.anonymous_by_default, recorded_by=by,
        )
        accounting.post_offline_gift(donation, by=by)
        audit(donation, "donations.donation.offline", user=by, data={"amount": str(amount), "method": method})
        _queue_receipt(donation)
        send_totals_changed_on_commit(donation)
    return donation


def pledge_create(
    *, donor, fund, campaign=None, amount, pledged_on: date, schedule: list[tuple[date, object]], by, note: str = "",
    reference: str | None = None,
) -> Pledge:
    """A promise to give, with instalments that add up exactly to the pledge. Posts pledges receivable / revenue."""
    amount = money(amount)
    schedule = [(due, money(value)) for due, value in schedule]
    if not schedule:
        raise OfflineGiftError(_("A pledge needs at least one instalment."))
    if sum((v for _d, v in schedule), ZERO) != amount:
        raise OfflineGiftError(_("The instalments must add up to the pledged amount."))
    if any(v <= 0 for _d, v in schedule):
        raise OfflineGiftError(_("Each instalment must be positive."))
    with transaction.atomic():
        pledge = Pledge.objects.create(
            donor=donor, fund=fund, campaign=campaign, amount=amount, currency=fund.currency, pledged_on=pledged_on,
            note=note, reference=reference, created_by=by,
        )
        PledgeInstalment.objects.bulk_create(
            [PledgeInstalment(pledge=pledge, sequence=i, due_date=due, amount=value) for i, (due, value) in enumerate(schedule, 1)]
        )
        accounting.post_pledge(pledge, by=by)
        audit(pledge, "donations.pledge.create", user=by, data={"amount": str(amount), "instalments": len(schedule)})
    return pledge


def pledge_instalment_pay(*, instalment: PledgeInstalment, method: str, received_on: date, by, reference: str = "") -> Donation:
    """Record an instalment as received, once: a donation (receipted) that settles the receivable (Dr cash / Cr receivable)."""
    if method == Method.STRIPE or method not in Method.values:
        raise OfflineGiftError(_("Choose how the payment was received."))
    with transaction.atomic():
        instalment = PledgeInstalment.objects.select_for_update(of=("self",)).select_related("pledge", "pledge__donor", "pledge__fund").get(pk=instalment.pk)
        pledge = instalment.pledge
        if instalment.donation_id:
            return instalment.donation
        if pledge.status != Pledge.Status.OPEN:
            raise OfflineGiftError(_("This pledge is not open."))
        try:
            with transaction.atomic():
                donation = Donation.objects.create(
                    donor=pledge.donor, fund=pledge.fund, campaign=pledge.campaign, amount=instalment.amount,
                    currency=pledge.currency, net_amount=instalment.amount, method=method, status=DonationStatus.SUCCEEDED,
                    received_at=_received_at(received_on), reference=reference, donor_name=pledge.donor.name,
                    donor_address=pledge.donor.address, recorded_by=by,
                    description=_("Pledge instalment %(n)s") % {"n": instalment.sequence},
                )
                instalment.donation = donation
                instalment.save(update_fields=["donation"])
        except IntegrityError:
            raise OfflineGiftError(_("This instalment was just recorded by someone else.")) from None
        accounting.post_pledge_payment(donation, by=by)
        if not pledge.instalments.filter(donation__isnull=True).exists():
            pledge.status = Pledge.Status.FULFILLED
            pledge.save(update_fields=["status"])
        audit(pledge, "donations.pledge.payment", user=by, data={"instalment": instalment.sequence, "donation": donation.pk})
        _queue_receipt(donation)
        send_totals_changed_on_commit(donation)
    return donation
