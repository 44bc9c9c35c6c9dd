"""Wagtail permission policies that follow our roles instead of Django model permissions."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from . import roles


class ProgramStaffPolicy(BasePermissionPolicy):
    """Program staff do everything with the model; nobody else (Editors and Finance included) does anything."""

    def user_has_permission(self, user, action):
        return roles.is_program_staff(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return roles.is_program_staff(user)

    def instances_user_has_any_permission_for(self, user, actions):
        return self.model.objects.all() if roles.is_program_staff(user) else self.model.objects.none()

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=roles.PROGRAM_STAFF), is_active=True)
            .distinct()
        )


class FinancePolicy(BasePermissionPolicy):
    """Finance (and administrators) create and edit funds; nobody deletes one (its ledger must stay whole)."""

    def _allowed(self, user, action):
        return action != "delete" and (user.is_superuser or roles.is_finance(user))

    def user_has_permission(self, user, action):
        return self._allowed(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self._allowed(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        allowed = any(self._allowed(user, action) for action in actions)
        return self.model.objects.all() if allowed else self.model.objects.none()

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=roles.FINANCE), is_active=True)
            .distinct()
        )


class ProgramStaffReadOnlyPolicy(ProgramStaffPolicy):
    """Program staff look things up (listing, search, inspect); nobody changes them through the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and roles.is_program_staff(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        allowed = "view" in actions and roles.is_program_staff(user)
        return self.model.objects.all() if allowed else self.model.objects.none()
