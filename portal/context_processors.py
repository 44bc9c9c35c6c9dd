from django.conf import settings

from . import roles


def portal(request):
    user = getattr(request, "user", None)
    return {
        "FUND_NAME": settings.FUND_NAME,
        "DEBUG": settings.DEBUG,
        "user_is_program_staff": roles.is_program_staff(user) if user else False,
        "user_is_finance": roles.is_finance(user) if user else False,
        "user_is_reviewer": roles.is_reviewer(user) if user else False,
        "user_can_enter_admin": bool(user and (roles.has_role(user, *roles.ADMIN_ROLES))),
    }
