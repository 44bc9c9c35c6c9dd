"""Audit entries for decisions, state changes and money: one helper over Wagtail's audit log."""

from wagtail.log_actions import log as wagtail_log
from wagtail.log_actions import registry


def audit(instance, action: str, *, user=None, data=None, title=None):
    """Record that `user` did `action` to `instance`. `action` must be registered (see portal.wagtail_hooks)."""
    return wagtail_log(instance=instance, action=action, user=user, data=data or {}, title=title)


def is_registered(action: str) -> bool:
    return registry.action_exists(action)
