"""Erasing a person (portal.erasure): they leave every organisation they belonged to, and invitations sent to them
are revoked, so an erased account keeps no access and no one can take up an invitation in their name. The
organisations themselves, their applications and awards stay: they belong to the organisation, not to the person."""

from django.db.models import Q
from django.utils import timezone

from .models import Invitation, Membership


def member_erase(person):
    if person.user is not None:
        Membership.objects.filter(user=person.user).delete()
    emails = Q(email__iexact=person.email)
    if person.user is not None:
        emails |= Q(email__iexact=person.user.email)
    Invitation.objects.filter(emails, revoked_at__isnull=True, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
