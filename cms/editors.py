"""What the Editor role may do on the public site: edit, translate and publish every page, run and translate site
alerts, edit site settings.

Wagtail keeps page permissions per page (GroupPagePermission), so they are granted on the tree root here rather
than through portal.roles. Idempotent; runs after every migrate, in the demo, and in tests after a flush.
"""

from portal.roles import EDITOR

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
MODEL_PERMISSIONS = [
    ("cms", "add_alert"),
    ("cms", "change_alert"),
    ("cms", "delete_alert"),
    ("cms", "view_alert"),
    ("cms", "change_sitesettings"),
    # "Translate this page" / "Translate" on alerts (wagtail-localize).
    ("wagtail_localize", "submit_translation"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
]


def grant_editor_permissions():
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    group, _created = Group.objects.get_or_create(name=EDITOR)
    root = Page.get_first_root_node()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            permission = Permission.objects.filter(content_type__app_label="wagtailcore", codename=codename).first()
            if permission is not None:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    wanted = [
        perm
        for app_label, codename in MODEL_PERMISSIONS
        if (perm := Permission.objects.filter(content_type__app_label=app_label, codename=codename).first())
    ]
    group.permissions.add(*wanted)
    return group


def grant_after_migrate(sender, app_config=None, using="default", **kwargs):
    from django.contrib.auth.management import create_permissions

    create_permissions(app_config, verbosity=0, using=using)
    grant_editor_permissions()
