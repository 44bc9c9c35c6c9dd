from django.utils.translation import gettext_lazy as _

from portal.roles import is_finance, is_program_staff


def can_view_ledger(user):
    if is_finance(user) or is_program_staff(user):
        return True, ""
    return False, _("Only finance and program staff can see the ledger.")
