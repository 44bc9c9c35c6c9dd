"""An invitation opened while signed out is accepted as soon as the person signs in (or signs up and confirms)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def accept_pending_invitation(sender, request, user, **kwargs):
    from . import selectors, services
    from .views import PENDING_INVITATION_KEY

    token = request.session.pop(PENDING_INVITATION_KEY, None) if request is not None else None
    if not token:
        return
    try:
        membership = services.invitation_accept(token=token, by=user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0], fail_silently=True)
        return
    selectors.set_current_organisation(request, membership.organisation)
    messages.success(
        request, _("You have joined %(name)s.") % {"name": membership.organisation.name}, fail_silently=True
    )
