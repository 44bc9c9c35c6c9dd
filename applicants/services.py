"""Writes for organisations, memberships and invitations. Keyword-only arguments; the acting user is `by`."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import roles
from portal.audit import audit
from portal.emails import send_email_on_commit

from .models import Invitation, Membership, Organisation
from .permissions import can_manage_members
from .selectors import owner_emails
from .validators import normalise_registration_number

INVITATION_LIFETIME = timedelta(days=14)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _clean_profile(organisation: Organisation):
    organisation.registration_number = normalise_registration_number(
        organisation.country, organisation.org_type, organisation.registration_number
    )
    if organisation.org_type == Organisation.Type.UNINCORPORATED:
        if not organisation.fiscal_sponsor_id and not organisation.fiscal_sponsor_name.strip():
            raise ValidationError(
                {"fiscal_sponsor": _("An unincorporated group must name its fiscal sponsor: choose it from the list.")}
            )
    if organisation.fiscal_sponsor_id:
        organisation.fiscal_sponsor_name = ""  # the link replaces a name typed before sponsors were organisations
        sponsor = organisation.fiscal_sponsor
        if sponsor.pk == organisation.pk:
            raise ValidationError({"fiscal_sponsor": _("An organisation cannot be its own fiscal sponsor.")})
        if sponsor.org_type == Organisation.Type.UNINCORPORATED or not sponsor.registration_number:
            raise ValidationError(
                {"fiscal_sponsor": _("A fiscal sponsor must be a registered organisation with a registration number.")}
            )
    organisation.full_clean(exclude=["slug"])


def organisation_create(*, by, service_areas=(), **fields) -> Organisation:
    """Create an organisation owned by `by`, who joins the Applicant role."""
    with transaction.atomic():
        organisation = Organisation(**fields)
        _clean_profile(organisation)
        organisation.slug = _unique_slug(organisation.name)
        organisation.save()
        if service_areas:
            organisation.service_areas.set(service_areas)
        Membership.objects.create(user=by, organisation=organisation, role=Membership.Role.OWNER)
        by.groups.add(Group.objects.get(name=roles.APPLICANT))
        audit(organisation, "applicants.organisation.create", user=by)
    return organisation


def organisation_update(*, organisation: Organisation, by, service_areas=None, **fields) -> Organisation:
    """Change the profile. Submitted applications keep the snapshot they were submitted with."""
    if not Membership.objects.filter(organisation=organisation, user=by).exists():
        raise PermissionDenied(_("Only members can change the organisation's profile."))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(organisation, name, value)
        _clean_profile(organisation)
        organisation.save()
        if service_areas is not None:
            organisation.service_areas.set(service_areas)
        audit(organisation, "applicants.organisation.update", user=by, data={"fields": sorted(fields)})
    return organisation


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, organisation: Organisation, email: str, role: str, by) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the raw token (only ever sent in the email)."""
    if not can_manage_members(by, organisation)[0]:
        raise PermissionDenied(_("Only owners can invite people."))
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=_hash(token),
            invited_by=by,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit(organisation, "applicants.invitation.create", user=by, data={"email": email, "role": role})
        send_email_on_commit(
            template="applicants/invitation",
            to=[email],
            context={
                "organisation_name": organisation.name,
                "inviter": by.display_name,
                "expires_at": invitation.expires_at,
                "url": reverse("applicants:invitation_accept", args=[token]),
            },
        )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=_hash(token or "")).first()


WRONG_ACCOUNT_MESSAGE = gettext_lazy(
    "This invitation was sent to a different email address. Sign in with the account that uses that address (and has "
    "confirmed it), or ask the organisation to invite the address you use."
)


class InvitationForSomeoneElse(ValidationError):
    """The signed-in account has no verified email address matching the one the invitation was sent to."""


def invitation_email_verified(invitation: Invitation, user) -> bool:
    """True when `user` has verified the address the invitation was sent to (case-insensitive)."""
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email.strip(), verified=True).exists()


def invitation_accept(*, token: str, by) -> Membership:
    """Accept an invitation: it must be pending (not used, revoked or expired) and `by` must have verified the email
    address it was sent to (case-insensitive), so a forwarded link is useless. The signed-in user joins as a member,
    or, for an owner invitation, as a member until an existing owner confirms them (invitation_confirm_owner).
    The organisation's owners are emailed that someone joined."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
        if invitation is None or not invitation.is_pending:
            raise ValidationError(
                _("This invitation has expired or was already used. Ask the organisation to invite you again.")
            )
        if not invitation_email_verified(invitation, by):
            raise InvitationForSomeoneElse(str(WRONG_ACCOUNT_MESSAGE))
        organisation = invitation.organisation
        owners = owner_emails(organisation.pk)
        membership, created = Membership.objects.get_or_create(
            user=by, organisation=organisation, defaults={"role": Membership.Role.MEMBER}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = by
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        by.groups.add(Group.objects.get(name=roles.APPLICANT))
        audit(organisation, "applicants.invitation.accept", user=by, data={"email": invitation.email})
        waiting = invitation.role == Membership.Role.OWNER and membership.role != Membership.Role.OWNER
        recipients = [email for email in owners if email.lower() != by.email.lower()]
        if recipients:
            _email_member_joined(recipients, organisation, by, invitation, waiting)
    return membership


def _email_member_joined(recipients, organisation, member, invitation, waiting):
    send_email_on_commit(
        template="applicants/member_joined",
        to=recipients,
        context={
            "organisation_name": organisation.name,
            "member": member.display_name,
            "member_email": member.email,
            "invited_email": invitation.email,
            "awaits_owner_confirmation": waiting,
            "url": reverse("applicants:organisation_detail", args=[organisation.slug]),
        },
    )


def invitation_confirm_owner(*, invitation: Invitation, by) -> Membership:
    """The second step of an owner invitation: an existing owner confirms the person who joined becomes an owner."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        if not can_manage_members(by, invitation.organisation)[0]:
            raise PermissionDenied(_("Only owners can confirm a new owner."))
        if not invitation.awaits_owner_confirmation or invitation.accepted_by_id is None:
            raise ValidationError(_("This invitation is not waiting for an owner's confirmation."))
        membership = Membership.objects.filter(user_id=invitation.accepted_by_id, organisation=invitation.organisation)
        membership = membership.select_related("user").first()
        if membership is None:
            raise ValidationError(_("The person who accepted this invitation is no longer a member."))
        membership.role = Membership.Role.OWNER
        membership.save(update_fields=["role"])
        invitation.owner_confirmed_at = timezone.now()
        invitation.owner_confirmed_by = by
        invitation.save(update_fields=["owner_confirmed_at", "owner_confirmed_by"])
        audit(
            invitation.organisation,
            "applicants.invitation.confirm_owner",
            user=by,
            data={"member": membership.user.email, "email": invitation.email},
        )
    return membership


def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if not can_manage_members(by, invitation.organisation)[0]:
        raise PermissionDenied(_("Only owners can revoke invitations."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(invitation.organisation, "applicants.invitation.revoke", user=by, data={"email": invitation.email})
    return invitation


def membership_change_role(*, membership: Membership, role: str, by) -> Membership:
    """Owners change roles; an organisation always keeps at least one owner."""
    with transaction.atomic():
        if not can_manage_members(by, membership.organisation)[0]:
            raise PermissionDenied(_("Only owners can manage members."))
        owners = Membership.objects.select_for_update().filter(
            organisation=membership.organisation, role=Membership.Role.OWNER
        )
        if membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER and owners.count() <= 1:
            raise ValidationError(_("An organisation needs at least one owner."))
        membership.role = role
        membership.save(update_fields=["role"])
        audit(
            membership.organisation,
            "applicants.membership.change_role",
            user=by,
            data={"member": membership.user.email, "role": role},
        )
    return membership


def membership_remove(*, membership: Membership, by) -> None:
    """Owners remove members (and members may leave); the last owner cannot go."""
    with transaction.atomic():
        if membership.user_id != by.pk and not can_manage_members(by, membership.organisation)[0]:
            raise PermissionDenied(_("Only owners can remove members."))
        owners = Membership.objects.select_for_update().filter(
            organisation=membership.organisation, role=Membership.Role.OWNER
        )
        if membership.role == Membership.Role.OWNER and owners.count() <= 1:
            raise ValidationError(_("An organisation needs at least one owner."))
        audit(membership.organisation, "applicants.membership.remove", user=by, data={"member": membership.user.email})
        membership.delete()


def membership_set_preferences(*, membership: Membership, by, decision_emails: bool) -> Membership:
    """A member chooses whether to be emailed the decisions on the organisation's applications (each for themself)."""
    if membership.user_id != by.pk:
        raise PermissionDenied(_("You can only change your own email preferences."))
    membership.decision_emails = bool(decision_emails)
    membership.save(update_fields=["decision_emails"])
    audit(
        membership.organisation,
        "applicants.membership.preferences",
        user=by,
        data={"member": membership.user.email, "decision_emails": membership.decision_emails},
    )
    return membership
