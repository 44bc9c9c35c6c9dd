"""Audit entries for decisions, state changes and money: one helper over Wagtail's audit log."""

from wagtail.log_actions import log as wagtail_log
from wagtail.log_actions import registry


def audit(instance, action: str, *, user=None, data=None, title=None):
    """Record that `user` did `action` to `instance`. `action` must be registered (see portal.wagtail_hooks)."""
    return wagtail_log(instance=instance, action=action, user=user, data=data or {}, title=title)


def is_registered(action: str) -> bool:
    return registry.action_exists(action)


def history_for(instance, *, limit: int = 100) -> list:
    """The object's audit entries, newest first, each with who did it (one query, however many entries).

    Callers show it only to people who may see the object itself (the object's own page checks that)."""
    entries = registry.get_logs_for_instance(instance).select_related("user").order_by("-timestamp", "-pk")
    return list(entries[:limit])
