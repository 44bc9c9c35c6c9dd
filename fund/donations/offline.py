"""Staff-recorded gifts: cheques, bank transfers, stock, and major-gift pledges with instalment schedules."""

from datetime import date, datetime, time
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund.models import Jurisdiction, LedgerTransaction
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


def _amount(value, message) -> Decimal:
    try:
        amount = money(value)
    except ValueError:
        raise OfflineGiftError(message) from None
    if not amount.is_finite():  # "NaN" and "Infinity" parse as Decimals
        raise OfflineGiftError(message)
    return amount


def appraisal_problems(
    *, fund, method: str, amount, appraised_value, appraiser_name: str, appraiser_address: str
) -> dict:
    """{field: message} for an appraisal that a Canadian official receipt could not state truthfully; empty if fine.
    An appraisal belongs to a non-cash gift to a Canadian fund; an appraised value needs the appraiser's name and
    address, and is the fair market value receipted (so it equals the amount). Publicly traded securities need none."""
    problems = {}
    given = appraised_value is not None or appraiser_name or appraiser_address
    if not given:
        return problems
    if method not in accounting.NONCASH_METHODS:
        problems["appraised_value"] = _("Only gifts of securities or other property are appraised.")
        return problems
    if fund is not None and fund.jurisdiction != Jurisdiction.CA:
        problems["appraised_value"] = _("Appraisals are stated only on Canadian (CRA) official receipts.")
        return problems
    if appraised_value is None:
        problems["appraised_value"] = _("Give the appraised value, or leave the appraiser empty.")
    elif amount is not None and money(appraised_value) != money(amount):
        problems["appraised_value"] = _(
            "The amount receipted is the fair market value: it must equal the appraised value."
        )
    if appraised_value is not None and not appraiser_name:
        problems["appraiser_name"] = _("Give the appraiser's name: the receipt must state it.")
    if appraised_value is not None and not appraiser_address:
        problems["appraiser_address"] = _("Give the appraiser's address: the receipt must state it.")
    return problems


def donation_record_offline(
    *,
    donor,
    fund,
    campaign=None,
    amount,
    method: str,
    received_on: date,
    by,
    reference: str = "",
    description: str = "",
    advantage_amount=ZERO,
    advantage_description: str = "",
    anonymous: bool = False,
    appraised_value=None,
    appraiser_name: str = "",
    appraiser_address: str = "",
) -> Donation:
    """A cheque, bank transfer, stock or other gift received outside Stripe, and its receipt. Money goes to cash
    (Dr cash / Cr donations revenue); a gift of securities to non-cash assets at its fair market value (Dr non-cash
    assets / Cr revenue) until `offline_gift_record_sale`. Stock gifts need a description (US receipts state no value
    for them); a Canadian one may name its appraiser (see `appraisal_problems`)."""
    amount = _amount(amount, _("Enter the amount as a number."))
    advantage = _amount(advantage_amount or ZERO, _("Enter the value given in return as a number."))
    if appraised_value not in (None, ""):
        appraised_value = _amount(appraised_value, _("Enter the appraised value as a number."))
    else:
        appraised_value = None
    appraiser_name, appraiser_address = (appraiser_name or "").strip(), (appraiser_address or "").strip()
    if method == Method.STRIPE or method not in Method.values:
        raise OfflineGiftError(_("Choose how the gift was received."))
    if amount <= 0:
        raise OfflineGiftError(_("The amount must be positive."))
    if advantage < 0 or advantage > amount:
        raise OfflineGiftError(_("The value given in return must be between zero and the amount."))
    if method == Method.STOCK and not description:
        raise OfflineGiftError(_("Describe the stock gift (security and number of shares)."))
    if campaign is not None and campaign.fund_id != fund.pk:
        raise OfflineGiftError(_("That campaign belongs to another fund."))
    problems = appraisal_problems(
        fund=fund,
        method=method,
        amount=amount,
        appraised_value=appraised_value,
        appraiser_name=appraiser_name,
        appraiser_address=appraiser_address,
    )
    if problems:
        raise OfflineGiftError(" ".join(str(p) for p in problems.values()))
    with transaction.atomic():
        donation = Donation.objects.create(
            donor=donor,
            fund=fund,
            campaign=campaign,
            amount=amount,
            currency=fund.currency,
            net_amount=amount,
            method=method,
            status=DonationStatus.SUCCEEDED,
            received_at=_received_at(received_on),
            reference=reference,
            description=description,
            advantage_amount=advantage,
            advantage_description=(advantage_description or "").strip()[:300],
            donor_name=donor.name,
            donor_address=donor.address,
            anonymous=anonymous or donor.anonymous_by_default,
            recorded_by=by,
            appraised_value=appraised_value,
            appraiser_name=appraiser_name,
            appraiser_address=appraiser_address,
        )
        accounting.post_offline_gift(donation, by=by)
        audit(donation, "donations.donation.offline", user=by, data={"amount": str(amount), "method": method})
        _queue_receipt(donation)
        send_totals_changed_on_commit(donation)
    return donation


def offline_gift_record_sale(*, donation: Donation, proceeds, sold_on: date, by) -> LedgerTransaction:
    """Record, once, that a gift's securities were sold: the value booked when they were given leaves non-cash assets,
    the proceeds actually received arrive in cash (and only now become available to award), and the difference is a
    gain or loss on sale. The receipt is untouched: it states the value on the day given, whatever the sale fetched.
    Corrections are a reversal of the sale transaction, never an edit."""
    proceeds = _amount(proceeds, _("Enter the sale proceeds as a number."))
    if proceeds <= 0:
        raise OfflineGiftError(_("The sale proceeds must be more than zero."))
    if sold_on > timezone.localdate():
        raise OfflineGiftError(_("The sale date cannot be in the future."))
    with transaction.atomic():
        donation = (
            Donation.objects.select_for_update(of=("self",)).select_related("fund", "campaign").get(pk=donation.pk)
        )
        if not accounting.is_noncash(donation):
            raise OfflineGiftError(_("Only gifts of securities are sold; this gift was money."))
        if not donation.is_received:
            raise OfflineGiftError(_("This gift has not been received."))
        if donation.received_at and sold_on < timezone.localtime(donation.received_at).date():
            raise OfflineGiftError(_("The sale date is before the gift was received."))
        if accounting.noncash_sale(donation) is not None:
            raise OfflineGiftError(_("The sale of this gift is already recorded."))
        held = accounting.noncash_held(donation)
        if held <= 0:
            raise OfflineGiftError(_("The ledger holds no securities for this gift, so there is nothing to sell."))
        try:
            with transaction.atomic():
                sale = accounting.post_noncash_sale(donation, proceeds=proceeds, sold_on=sold_on, by=by)
        except IntegrityError:
            raise OfflineGiftError(_("The sale of this gift is already recorded.")) from None
        audit(
            donation,
            "donations.donation.noncash_sale",
            user=by,
            data={
                "proceeds": str(proceeds),
                "sold_on": sold_on.isoformat(),
                "value_booked": str(held),
                "gain": str(money(proceeds - held)),
                "transaction": sale.pk,
            },
        )
    return sale


def pledge_create(
    *,
    donor,
    fund,
    campaign=None,
    amount,
    pledged_on: date,
    schedule: list[tuple[date, object]],
    by,
    note: str = "",
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
            donor=donor,
            fund=fund,
            campaign=campaign,
            amount=amount,
            currency=fund.currency,
            pledged_on=pledged_on,
            note=note,
            reference=reference,
            created_by=by,
        )
        PledgeInstalment.objects.bulk_create(
            [
                PledgeInstalment(pledge=pledge, sequence=i, due_date=due, amount=value)
                for i, (due, value) in enumerate(schedule, 1)
            ]
        )
        accounting.post_pledge(pledge, by=by)
        audit(pledge, "donations.pledge.create", user=by, data={"amount": str(amount), "instalments": len(schedule)})
    return pledge


def pledge_instalment_pay(
    *, instalment: PledgeInstalment, method: str, received_on: date, by, reference: str = ""
) -> Donation:
    """Record an instalment as received, once: a donation (receipted) that settles the receivable (Dr cash / Cr receivable)."""
    if method == Method.STRIPE or method not in Method.values:
        raise OfflineGiftError(_("Choose how the payment was received."))
    with transaction.atomic():
        instalment = (
            PledgeInstalment.objects.select_for_update(of=("self",))
            .select_related("pledge", "pledge__donor", "pledge__fund")
            .get(pk=instalment.pk)
        )
        pledge = instalment.pledge
        if instalment.donation_id:
            return instalment.donation
        if pledge.status != Pledge.Status.OPEN:
            raise OfflineGiftError(_("This pledge is not open."))
        try:
            with transaction.atomic():
                donation = Donation.objects.create(
                    donor=pledge.donor,
                    fund=pledge.fund,
                    campaign=pledge.campaign,
                    amount=instalment.amount,
                    currency=pledge.currency,
                    net_amount=instalment.amount,
                    method=method,
                    status=DonationStatus.SUCCEEDED,
                    received_at=_received_at(received_on),
                    reference=reference,
                    donor_name=pledge.donor.name,
                    donor_address=pledge.donor.address,
                    recorded_by=by,
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
        audit(
            pledge,
            "donations.pledge.payment",
            user=by,
            data={"instalment": instalment.sequence, "donation": donation.pk},
        )
        _queue_receipt(donation)
        send_totals_changed_on_commit(donation)
    return donation
