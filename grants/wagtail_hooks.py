from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_application_actions(actions):
    from .workflow import TRANSITIONS

    for transition in TRANSITIONS.values():
        actions.register_action(f"grants.application.{transition.action}", transition.label, transition.label)
    actions.register_action("grants.application.extension", _("Extension granted"), _("Deadline extension granted"))
