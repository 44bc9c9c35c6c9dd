"""Per-object permissions for organisations. Each check returns (allowed, reason)."""

from django.utils.translation import gettext_lazy as _

from .models import Membership


def _role(user, organisation):
    if not getattr(user, "is_authenticated", False):
        return None
    cache = getattr(user, "_portal_org_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._portal_org_roles = cache
    return cache.get(organisation.pk)


def is_member(user, organisation) -> tuple[bool, str]:
    if _role(user, organisation):
        return True, ""
    return False, _("You are not a member of this organisation.")


def can_manage_members(user, organisation) -> tuple[bool, str]:
    if _role(user, organisation) == Membership.Role.OWNER:
        return True, ""
    return False, _("Only the organisation's owners can manage its members.")
