"""Roles are Django groups. This module is the one place that names them and says who may do what."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

APPLICANT = "Applicant"
REVIEWER = "Reviewer"
PROGRAM_STAFF = "Program staff"
FINANCE = "Finance"
EDITOR = "Editor"

ROLES = [APPLICANT, REVIEWER, PROGRAM_STAFF, FINANCE, EDITOR]
ROLE_LABELS = {
    APPLICANT: _("Applicant"),
    REVIEWER: _("Reviewer"),
    PROGRAM_STAFF: _("Program staff"),
    FINANCE: _("Finance"),
    EDITOR: _("Editor"),
}

# Django/Wagtail permissions per role, as "app_label.codename". Apps add theirs here.
# Only the groups listed in ADMIN_ROLES may enter the Wagtail admin.
ADMIN_ROLES = {PROGRAM_STAFF, FINANCE, EDITOR}
ROLE_PERMISSIONS = {
    APPLICANT: [],
    REVIEWER: [],
    PROGRAM_STAFF: ["wagtailadmin.access_admin"],
    FINANCE: ["wagtailadmin.access_admin"],
    EDITOR: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "cms.add_alert",
        "cms.change_alert",
        "cms.delete_alert",
        "cms.view_alert",
        "cms.change_sitesettings",
    ],
}


def _group_names(user):
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_group_names = cached
    return cached


def group_names(user) -> frozenset:
    """The names of the user's groups (read once per user object: every role check of a request shares it)."""
    return _group_names(user)


def has_role(user, *roles):
    """True if the user holds any of the roles. Superusers hold every role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(_group_names(user) & set(roles))


def is_program_staff(user):
    return has_role(user, PROGRAM_STAFF)


def is_finance(user):
    return has_role(user, FINANCE)


def users_with_role(role):
    """Active users holding `role` through their group (superusers are not notified as members of every role)."""
    return get_user_model().objects.filter(groups__name=role, is_active=True).distinct().order_by("email")


def finance_users():
    return users_with_role(FINANCE)


def is_reviewer(user):
    return has_role(user, REVIEWER)


def is_editor(user):
    return has_role(user, EDITOR)


def has_idle_session_timeout(user):
    """Staff roles (who reach money, applications or the public site) are signed out when idle; others are not."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or has_role(user, *ADMIN_ROLES)


def requires_mfa(user):
    from django.conf import settings

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(_group_names(user) & set(settings.MFA_REQUIRED_GROUPS))


def sync_roles(apps=None):
    """Create the role groups and give them exactly their listed permissions. Idempotent."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm:
                wanted.append(perm)
        current = set(group.permissions.values_list("pk", flat=True))
        missing = [p for p in wanted if p.pk not in current]
        if missing:
            group.permissions.add(*missing)


def sync_roles_after_migrate(sender, **kwargs):
    sync_roles()
