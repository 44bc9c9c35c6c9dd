from django.utils.translation import gettext_lazy as _
from wagtail import hooks

ACTIONS = {
    "awards.award.offer": _("Award offered"),
    "awards.award.revise": _("Award offer revised"),
    "awards.award.accept": _("Award accepted"),
    "awards.award.decline": _("Award declined"),
    "awards.award.expire": _("Award offer expired"),
    "awards.award.terminate": _("Award terminated"),
    "awards.award.complete": _("Award completed"),
    "awards.bankdetails.change": _("Bank details changed"),
    "awards.bankdetails.reveal": _("Bank details decrypted"),
    "awards.disbursement.prepare": _("Payment prepared"),
    "awards.disbursement.approve": _("Payment approved"),
    "awards.disbursement.cancel": _("Payment cancelled"),
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
