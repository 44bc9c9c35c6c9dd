"""Tax receipts by the fund's jurisdiction (US IRS acknowledgement, Canada CRA official receipt, UK with Gift Aid).

Language: a Canadian official receipt is printed in the donor's language (their account's, else the one given with
the gift, else the fund's): French receipts carry the CRA's official French wording. US (IRS) and UK (HMRC) receipts
keep their legal wording in English whatever the donor's language.

Serial numbers come from a counter row locked in the same transaction as the receipt row, so a rollback returns the
number and two receipts never share one: serials never repeat or skip. Voiding keeps the old receipt, marked cancelled;
its replacement says which receipt it cancels.
"""

import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image
from wagtail import hooks

from portal.audit import audit
from portal.i18n import written_for
from portal.money import ZERO, format_money
from portal.pdf import build_pdf, para, spacer, table
from portal.tasks import enqueue_on_commit

from . import conf, giftaid
from .models import RECEIVED_STATUSES, Donation, Method, Receipt, ReceiptCounter
from .tasks import receipt_email_task

logger = logging.getLogger(__name__)


class ReceiptError(Exception):
    pass


def allocate_serial(*, jurisdiction: str, year: int) -> int:
    """The next number for (jurisdiction, year), under a row lock. Call inside the receipt's transaction."""
    ReceiptCounter.objects.get_or_create(jurisdiction=jurisdiction, year=year)
    counter = ReceiptCounter.objects.select_for_update().get(jurisdiction=jurisdiction, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


# Jurisdictions whose receipts are printed in the donor's language; the others keep their legal wording in English.
TRANSLATED_JURISDICTIONS = {"CA"}


def _supported(code) -> str:
    code = (code or "").split("-")[0].lower()
    return code if code in {language for language, _name in settings.LANGUAGES} else ""


def receipt_language(donation: Donation) -> str:
    """The language of this gift's receipt: English for US and UK receipts (legal wording); for Canada the donor's
    account language, else the donor's recorded language, else the fund's, else the site's default."""
    fund = donation.fund
    if fund.jurisdiction not in TRANSLATED_JURISDICTIONS:
        return "en"
    donor = donation.donor
    user = getattr(donor, "user", None)
    for candidate in (getattr(user, "language", ""), getattr(donor, "language", ""), fund.language):
        if language := _supported(candidate):
            return language
    return _supported(settings.LANGUAGE_CODE) or "en"


def _create_receipt(donation: Donation, *, replaces: Receipt | None = None, send: bool = True) -> Receipt:
    fund = donation.fund
    now = timezone.now()
    received = timezone.localtime(donation.received_at or now)
    year = received.year
    number = allocate_serial(jurisdiction=fund.jurisdiction, year=year)
    advantage = donation.advantage_amount or ZERO
    receipt = Receipt.objects.create(
        donation=donation,
        jurisdiction=fund.jurisdiction,
        year=year,
        number=number,
        serial=f"{fund.jurisdiction}-{year}-{number:06d}",
        amount=donation.kept_amount,
        advantage_amount=advantage,
        eligible_amount=max(donation.kept_amount - advantage, ZERO),
        currency=donation.currency,
        replaces=replaces,
        issued_at=now,
        language=receipt_language(donation),
    )
    content = receipt_pdf(receipt)
    receipt.pdf.save(f"receipt-{receipt.serial}.pdf", ContentFile(content), save=False)
    receipt.save(update_fields=["pdf"])
    if send:
        # Queued with the receipt itself; the worker emails it and only then marks it emailed (receipt_delivery).
        enqueue_on_commit(receipt_email_task, receipt.pk)
    return receipt


def receipt_issue_for_donation(*, donation: Donation, by=None, send: bool = True) -> Receipt | None:
    """Issue (and email, unless `send` is off, e.g. for the demo) the receipt for a received gift, once.
    Returns the live receipt."""
    with transaction.atomic():
        donation = (
            Donation.objects.select_for_update(of=("self",))
            .select_related("fund", "donor", "campaign")
            .get(pk=donation.pk)
        )
        if donation.status not in RECEIVED_STATUSES or donation.kept_amount <= 0:
            return None
        live = donation.receipts.filter(status=Receipt.Status.ISSUED).first()
        if live:
            return live
        receipt = _create_receipt(donation, send=send)
        audit(receipt, "donations.receipt.issue", user=by, data={"serial": receipt.serial, "donation": donation.pk})
    return receipt


def receipt_cancel_and_replace(*, receipt: Receipt, by, reason: str, replace: bool = True) -> Receipt | None:
    """Void a receipt (kept, marked cancelled) and, unless told otherwise, issue its replacement with a new serial."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != Receipt.Status.ISSUED:
            raise ReceiptError(_("This receipt is already cancelled."))
        donation = (
            Donation.objects.select_for_update(of=("self",))
            .select_related("fund", "donor", "campaign")
            .get(pk=receipt.donation_id)
        )
        receipt.status = Receipt.Status.CANCELLED
        receipt.cancelled_at = timezone.now()
        receipt.cancel_reason = reason[:300]
        receipt.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit(receipt, "donations.receipt.cancel", user=by, data={"serial": receipt.serial, "reason": reason})
        if not replace:
            return None
        new = _create_receipt(donation, replaces=receipt)
        audit(new, "donations.receipt.issue", user=by, data={"serial": new.serial, "replaces": receipt.serial})
    return new


def receipt_sync_with_donation(*, donation: Donation, by=None) -> Receipt | None:
    """After a refund or a lost dispute the live receipt must not overstate the gift: cancel it and, if something is
    still kept, issue a replacement for the kept amount (with "cancels and replaces")."""
    with transaction.atomic():
        donation = (
            Donation.objects.select_for_update(of=("self",))
            .select_related("fund", "donor", "campaign")
            .get(pk=donation.pk)
        )
        live = Receipt.objects.select_for_update().filter(donation=donation, status=Receipt.Status.ISSUED).first()
        if live is None or live.amount == donation.kept_amount:
            return live
        live.status = Receipt.Status.CANCELLED
        live.cancelled_at = timezone.now()
        live.cancel_reason = _("Gift refunded") if donation.kept_amount <= 0 else _("Gift partly refunded")
        live.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit(live, "donations.receipt.cancel", user=by, data={"serial": live.serial, "reason": live.cancel_reason})
        if donation.kept_amount <= 0:
            return None
        new = _create_receipt(donation, replaces=live)
        audit(new, "donations.receipt.issue", user=by, data={"serial": new.serial, "replaces": live.serial})
    return new


# --- PDFs -------------------------------------------------------------------------------------------------------------


def _date(value):
    return timezone.localtime(value).date().isoformat() if hasattr(value, "tzinfo") else value.isoformat()


def _donor_block(donation):
    name = donation.donor_name or donation.donor.name
    address = donation.donor_address or donation.donor.address
    return f"{name}\n{address}".strip()


def _is_stock(donation):
    return donation.method == Method.STOCK


def _gift_description(donation):
    return donation.description or _("securities")


@written_for(lambda receipt: receipt.donation)
def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt's PDF, in the language recorded on it (English for IRS and HMRC receipts)."""
    language = receipt.language if receipt.jurisdiction in TRANSLATED_JURISDICTIONS else "en"
    with translation.override(_supported(language) or "en"):
        return _receipt_pdf(receipt)


def _receipt_pdf(receipt: Receipt) -> bytes:
    donation = receipt.donation
    fund = donation.fund
    builder = {"CA": _story_ca, "UK": _story_uk}.get(receipt.jurisdiction, _story_us)
    story = builder(receipt, donation, fund)
    if receipt.replaces_id:
        story.insert(
            1, para(_("This cancels and replaces receipt #%(serial)s.") % {"serial": receipt.replaces.serial}, "h2")
        )
    return build_pdf(story, title=_("Receipt %(serial)s") % {"serial": receipt.serial}, fund=fund)


def _rows(pairs):
    return table([[label, value] for label, value in pairs], col_widths=[160, 330], header=False)


def _story_us(receipt, donation, fund):
    money = format_money(receipt.amount, receipt.currency)
    if _is_stock(donation):
        gift = _("a contribution of %(description)s (non-cash; the charity does not state its value)") % {
            "description": _gift_description(donation)
        }
    else:
        gift = _("a contribution of %(amount)s") % {"amount": money}
    if receipt.advantage_amount > 0 and _is_stock(donation):
        # Valuing donated property is the donor's job (IRS): state only what the donor received, never a deductible sum.
        goods = _(
            "In exchange for this contribution you received goods or services with an estimated fair market value of "
            "%(value)s. The amount of your contribution that is deductible for federal income tax purposes is limited to "
            "the excess of the value of the property you contributed over that value."
        ) % {"value": format_money(receipt.advantage_amount, receipt.currency)}
    elif receipt.advantage_amount > 0:
        goods = _(
            "In exchange for this contribution you received goods or services with an estimated fair market value of "
            "%(value)s. The amount of your contribution that is deductible for federal income tax purposes is limited to "
            "the excess of your contribution over that value, %(eligible)s."
        ) % {
            "value": format_money(receipt.advantage_amount, receipt.currency),
            "eligible": format_money(receipt.eligible_amount, receipt.currency),
        }
    else:
        goods = _("No goods or services were provided in exchange for this contribution.")
    if receipt.advantage_amount > 0 and donation.advantage_description:
        goods = f"{goods} " + _("Goods or services provided: %(description)s.") % {
            "description": donation.advantage_description
        }
    return [
        para(_("Contribution acknowledgement"), "h1"),
        _rows(
            [
                (_("Receipt number"), receipt.serial),
                (_("Organisation"), fund.legal_name or fund.name),
                (_("EIN"), fund.charity_number),
                (_("Donor"), _donor_block(donation)),
                (_("Date received"), _date(donation.received_at or receipt.issued_at)),
                (_("Date issued"), _date(receipt.issued_at)),
                (_("Amount"), _("Not stated (non-cash gift)") if _is_stock(donation) else money),
            ]
        ),
        spacer(),
        para(
            _("%(org)s gratefully acknowledges receipt from %(donor)s, on %(date)s, of %(gift)s.")
            % {
                "org": fund.legal_name or fund.name,
                "donor": donation.donor_name or donation.donor.name,
                "date": _date(donation.received_at or receipt.issued_at),
                "gift": gift,
            }
        ),
        para(goods),
        para(
            _(
                "%(org)s is a tax-exempt organisation under section 501(c)(3) of the Internal Revenue Code. Please keep this "
                "written acknowledgement for your tax records."
            )
            % {"org": fund.legal_name or fund.name}
        ),
        spacer(),
        para(f"{fund.signatory_name}, {fund.signatory_title}"),
    ]


def _story_ca(receipt, donation, fund):
    rows = [
        (_("Receipt serial number"), receipt.serial),
        (pgettext("CRA receipt", "Charity"), fund.legal_name or fund.name),
        (_("Charity address"), fund.address),
        (_("Charitable registration number (BN)"), fund.charity_number),
        (_("Place of issue"), conf.place_of_issue(fund)),
        (_("Donor name and address"), _donor_block(donation)),
        (_("Date donation received"), _date(donation.received_at or receipt.issued_at)),
        (_("Date receipt issued"), _date(receipt.issued_at)),
    ]
    if _is_stock(donation):
        # A gift in kind (CRA): describe the property, state its fair market value on the day received as the amount
        # the eligible amount starts from, and name the appraiser if it was appraised (listed securities need none).
        rows += [
            (_("Description of property received"), _gift_description(donation)),
            (_("Fair market value of property received"), format_money(receipt.amount, receipt.currency)),
        ]
        if donation.appraiser_name:
            rows += [
                (_("Appraised by"), donation.appraiser_name),
                (_("Appraiser's address"), donation.appraiser_address),
            ]
    else:
        rows.append((_("Total amount received"), format_money(receipt.amount, receipt.currency)))
    rows.append((_("Value of advantage"), format_money(receipt.advantage_amount, receipt.currency)))
    if receipt.advantage_amount > 0:
        rows.append((_("Description of advantage"), donation.advantage_description or _("Not described")))
    rows.append(
        (_("Eligible amount of gift for tax purposes"), format_money(receipt.eligible_amount, receipt.currency))
    )
    signature = signature_image(fund)
    return [
        para(_("Official receipt for income tax purposes"), "h1"),
        _rows(rows),
        spacer(8),
        signature if signature is not None else para("______________________________"),
        para(
            _("Signature of authorized individual: %(name)s, %(title)s")
            % {"name": fund.signatory_name, "title": fund.signatory_title}
        ),
        spacer(),
        para(_("Canada Revenue Agency: www.canada.ca/charities-giving")),
    ]


def signature_image(fund, width=50 * mm):
    """The authorised signature uploaded in site settings (the public site's app answers the
    "receipt_signature_image" hook; fund never imports it), as a flowable, or None."""
    for fn in hooks.get_hooks("receipt_signature_image"):
        stored = fn(fund)
        if not stored:
            continue
        try:
            with stored.open("rb") as handle:
                data = io.BytesIO(handle.read())
            reader = ImageReader(data)
            w, h = reader.getSize()
            data.seek(0)
            return Image(data, width=width, height=width * h / w)
        except Exception:  # noqa: BLE001 - an unreadable image must never stop a receipt
            logger.warning("The receipt signature image for %s could not be read", fund, exc_info=True)
    return None


def _story_uk(receipt, donation, fund):
    claims_gift_aid = donation.gift_aid and giftaid.gift_aid_applies(method=donation.method)
    if not giftaid.gift_aid_applies(method=donation.method):
        gift_aid = _("Gift Aid does not apply to gifts of shares or securities, so none will be claimed on this gift.")
    elif claims_gift_aid:
        gift_aid = _(
            "Gift Aid: you declared this gift eligible for Gift Aid on %(date)s. We will claim 25p for every £1 "
            "you gave, at no extra cost to you."
        ) % {"date": _date(donation.gift_aid_declared_at or receipt.issued_at)}
    else:
        gift_aid = _("Gift Aid: not declared for this gift.")
    story = [
        para(_("Donation receipt"), "h1"),
        _rows(
            [
                (_("Receipt number"), receipt.serial),
                (_("Charity"), fund.legal_name or fund.name),
                (_("Registered charity number"), fund.charity_number),
                (_("Donor"), _donor_block(donation)),
                (_("Date received"), _date(donation.received_at or receipt.issued_at)),
            ]
            + (
                [
                    (_("Gift"), _gift_description(donation)),
                    (_("Value on the day given"), format_money(receipt.amount, receipt.currency)),
                ]
                if _is_stock(donation)
                else [
                    (_("Amount"), format_money(receipt.amount, receipt.currency)),
                ]
            )
        ),
        spacer(),
        para(gift_aid),
    ]
    if claims_gift_aid and donation.gift_aid_declaration:
        story += [para(_("Your declaration:"), "label"), para(donation.gift_aid_declaration, "small")]
    story += [
        spacer(),
        para(_("Thank you. %(name)s, %(title)s") % {"name": fund.signatory_name, "title": fund.signatory_title}),
    ]
    return story
