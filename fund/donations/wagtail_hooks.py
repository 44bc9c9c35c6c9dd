"""Audit action names, and the staff screens (finance and program staff only) inside the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal import roles

ACTIONS = {
    "donations.donation.start": _("Gift started"),
    "donations.donation.record": _("Gift recorded"),
    "donations.donation.fail": _("Payment failed"),
    "donations.donation.expire": _("Checkout expired"),
    "donations.donation.mismatch": _("Amount mismatch flagged"),
    "donations.donation.refund": _("Refund recorded"),
    "donations.donation.dispute": _("Dispute updated"),
    "donations.donation.fee_adjusted": _("Processing fee adjusted to Stripe's actual fee"),
    "donations.donation.void": _("Offline gift voided"),
    "donations.donation.bounced": _("Cheque returned unpaid"),
    "donations.pledge.cancel": _("Pledge cancelled or written off"),
    "donations.refundrequest.create": _("Refund requested"),
    "donations.refundrequest.approve": _("Refund approved"),
    "donations.refundrequest.reject": _("Refund rejected"),
    "donations.refundrequest.sent": _("Refund sent to Stripe"),
    "donations.payout.posted": _("Stripe payout posted"),
    "reconciliation.statement.import": _("Bank statement imported"),
    "reconciliation.line.match": _("Bank statement line matched"),
    "reconciliation.line.unmatch": _("Bank statement line unmatched"),
    "reconciliation.period.close": _("Bank reconciliation period closed"),
    "donations.donation.offline": _("Offline gift recorded"),
    "donations.donation.noncash_sale": _("Sale of gifted securities recorded"),
    "donations.donor.update": _("Donor details updated"),
    "donations.donor.account_by_code": _("Donor account made at a sign-in by emailed code"),
    "donations.recurring.update": _("Monthly gift updated"),
    "donations.recurring.amount": _("Monthly gift amount changed"),
    "donations.pledge.create": _("Pledge recorded"),
    "donations.pledge.payment": _("Pledge instalment paid"),
    "donations.receipt.issue": _("Receipt issued"),
    "donations.receipt.cancel": _("Receipt cancelled"),
    "donations.receipt.resend": _("Receipt sent again"),
    "donations.stripeevent.replay": _("Stripe event replayed"),
    "donations.statementrun.start": _("Annual statements started"),
    "donations.statementrun.resume": _("Annual statements resumed"),
}


@hooks.register("register_log_actions")
def register_donation_actions(actions):
    for name, label in ACTIONS.items():
        actions.register_action(name, label, label)


def can_see_donations(user):
    return roles.has_role(user, roles.FINANCE, roles.PROGRAM_STAFF)


class DonationsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_donations(request.user)


@hooks.register("register_admin_urls")
def register_donation_admin_urls():
    from . import admin_urls

    return [path("donations/", include((admin_urls.urlpatterns, "donations_admin"), namespace="donations_admin"))]


@hooks.register("register_admin_menu_item")
def register_donations_menu_item():
    return DonationsMenuItem(_("Donations"), reverse("donations_admin:list"), icon_name="pick", order=320)


def _register_ledger_checks():
    from .payouts import check_stripe_clearing_reconciles

    hooks.register("register_ledger_checks", check_stripe_clearing_reconciles)


_register_ledger_checks()
