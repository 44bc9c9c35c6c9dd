from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

ACTIONS = {
    "awards.award.prepare": _("Award prepared (money committed)"),
    "awards.award.offer": _("Award offer sent"),
    "awards.award.revise": _("Award offer revised"),
    "awards.award.accept": _("Award accepted"),
    "awards.award.decline": _("Award declined"),
    "awards.award.expire": _("Award offer expired"),
    "awards.award.terminate": _("Award terminated"),
    "awards.award.complete": _("Award completed"),
    "awards.award.close": _("Award closed"),
    "awards.tranche.release": _("Tranche released"),
    "awards.tranche.cancel": _("Tranche cancelled"),
    "awards.award.funding": _("Award funding sources changed"),
    "awards.bankdetails.change": _("Bank details changed"),
    "awards.bankdetails.reveal": _("Bank details decrypted"),
    "awards.disbursement.prepare": _("Payment prepared"),
    "awards.disbursement.approve": _("Payment approved"),
    "awards.disbursement.cancel": _("Payment cancelled"),
    "awards.disbursement.reapproval": _("Payment back to approval (payee's bank details changed)"),
    "awards.disbursement.paid": _("Payment made"),
    "awards.disbursement.returned": _("Payment returned"),
    "awards.paymentbatch.create": _("Payment file created"),
    "awards.paymentbatch.export": _("Payment file downloaded"),
    "awards.paymentbatch.paid": _("Payment batch marked paid"),
}


@hooks.register("register_log_actions")
def register_award_actions(actions):
    for name, label in ACTIONS.items():
        actions.register_action(name, label, label)


def _register_ledger_checks():
    from .checks import AWARD_CHECKS

    for check in AWARD_CHECKS:
        hooks.register("register_ledger_checks", check)


_register_ledger_checks()


class MoneyMenuItem(MenuItem):
    def is_shown(self, request):
        from .permissions import can_view_money

        return can_view_money(request.user)[0]


@hooks.register("register_admin_menu_item")
def register_finance_menu_item():
    return MoneyMenuItem(_("Awards and money"), reverse("awards_admin:finance_dashboard"), icon_name="table", order=230)


@hooks.register("register_admin_urls")
def register_awards_admin_urls():
    from . import admin_award_views as a
    from . import admin_views as v

    urls = [
        path("", v.finance_dashboard, name="finance_dashboard"),
        path("awards/", a.award_list, name="award_list"),
        path("awards/<int:pk>/", a.award_detail, name="award_detail"),
        path("awards/<int:pk>/offer/", a.award_prepare_offer, name="award_prepare_offer"),
        path("awards/<int:pk>/send/", a.award_send_offer, name="award_send_offer"),
        path("awards/<int:pk>/terminate/", a.award_terminate, name="award_terminate"),
        path("awards/<int:pk>/schedule/add/", a.schedule_add, name="schedule_add"),
        path("awards/<int:pk>/schedule/<int:number>/", a.schedule_move, name="schedule_move"),
        path("awards/<int:pk>/schedule/<int:number>/remove/", a.schedule_remove, name="schedule_remove"),
        path("offers/send/", a.offer_send_batch, name="offer_send_batch"),
        path("tranches/<int:pk>/cancel/", a.tranche_cancel, name="tranche_cancel"),
        path("tranches/<int:pk>/prepare/", v.tranche_prepare, name="tranche_prepare"),
        path("payments/", v.disbursement_list, name="disbursement_list"),
        path("payments/<int:pk>/approve/", v.disbursement_approve, name="disbursement_approve"),
        path("payments/<int:pk>/cancel/", v.disbursement_cancel, name="disbursement_cancel"),
        path("payments/<int:pk>/return/", v.disbursement_return, name="disbursement_return"),
        path("batches/", v.batch_list, name="batch_list"),
        path("batches/new/", v.batch_create, name="batch_create"),
        path("batches/<int:pk>/", v.batch_detail, name="batch_detail"),
        path("batches/<int:pk>/download/<str:fmt>/", v.batch_download, name="batch_download"),
        path("batches/<int:pk>/paid/", v.batch_mark_paid, name="batch_mark_paid"),
    ]
    return [path("money/", include((urls, "awards_admin"), namespace="awards_admin"))]


@hooks.register("ledger_source_url")
def award_source_url(source_type, source_id):
    if source_type == "awards.award":
        return reverse("awards_admin:award_detail", args=[source_id])
    if source_type == "awards.disbursement":
        from .models import Disbursement

        award_id = Disbursement.objects.filter(pk=source_id).values_list("tranche__award_id", flat=True).first()
        return reverse("awards_admin:award_detail", args=[award_id]) if award_id else None
    return None


@hooks.register("register_admin_urls")
def register_award_funding_admin_urls():
    from . import funding_views as v

    urls = [path("awards/<int:pk>/funding/", v.award_funding, name="award_funding")]
    return [path("money/funding/", include((urls, "awards_funding"), namespace="awards_funding"))]


def _register_funding_checks():
    from .funding import check_award_funding_matches_ledger

    hooks.register("register_ledger_checks", check_award_funding_matches_ledger)


_register_funding_checks()
