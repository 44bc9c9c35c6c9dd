"""Invitations are bound to the invited email: only an account that has verified that address (any case) accepts;
owners hear when someone joins; an owner invitation needs an existing owner's confirmation."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from applicants import services
from applicants.models import Invitation, Membership
from tests.factories.applicants import MembershipFactory
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db


def verified_user(email, verified=True):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def owner():
    return MembershipFactory(role=Membership.Role.OWNER).user


def invite(owner, email, role="member"):
    organisation = owner.memberships.get().organisation
    invitation, token = services.invitation_create(organisation=organisation, email=email, role=role, by=owner)
    return organisation, invitation, token


def test_a_forwarded_invitation_cannot_be_accepted_by_another_account(client, owner):
    organisation, invitation, token = invite(owner, "sam@example.org", role="owner")
    stranger = verified_user("stranger@example.org")
    client.force_login(stranger)
    url = reverse("applicants:invitation_accept", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "different email address" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 403 and "different email address" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    assert Invitation.objects.get(pk=invitation.pk).is_pending  # still usable by the person it was sent to


def test_an_unverified_matching_address_is_not_enough(owner):
    _organisation, _invitation, token = invite(owner, "sam@example.org")
    with pytest.raises(services.InvitationForSomeoneElse):
        services.invitation_accept(token=token, by=verified_user("sam@example.org", verified=False))


def test_the_invited_address_accepts_whatever_its_case(client, owner):
    organisation, _invitation, token = invite(owner, "Sam@Example.org")
    sam = verified_user("SAM@example.ORG")
    client.force_login(sam)
    assert client.post(reverse("applicants:invitation_accept", args=[token])).status_code == 302
    assert Membership.objects.get(user=sam, organisation=organisation).role == "member"


def test_signing_in_with_the_wrong_account_after_opening_the_link_does_not_join(client, owner):
    _organisation, _invitation, token = invite(owner, "sam@example.org")
    client.get(reverse("applicants:invitation_accept", args=[token]))
    stranger = verified_user("other@example.org")
    client.force_login(stranger)  # user_logged_in tries the pending invitation
    assert not Membership.objects.filter(user=stranger).exists()


def test_owners_are_emailed_when_someone_joins(client, owner, django_capture_on_commit_callbacks):
    organisation, _invitation, token = invite(owner, "sam@example.org")
    sam = verified_user("sam@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_accept(token=token, by=sam)
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "sam@example.org" in mail.outbox[0].body and organisation.name in mail.outbox[0].subject


def test_an_owner_invitation_makes_a_member_until_an_owner_confirms(client, owner):
    organisation, invitation, token = invite(owner, "sam@example.org", role="owner")
    sam = verified_user("sam@example.org")
    membership = services.invitation_accept(token=token, by=sam)
    assert membership.role == Membership.Role.MEMBER
    client.force_login(sam)
    confirm = reverse("applicants:invitation_confirm_owner", args=[organisation.slug, invitation.pk])
    assert client.post(confirm).status_code in (302, 403)  # the invitee cannot confirm themself
    assert Membership.objects.get(user=sam, organisation=organisation).role == Membership.Role.MEMBER
    with pytest.raises(PermissionDenied):
        services.invitation_confirm_owner(invitation=invitation, by=sam)

    client.force_login(owner)
    page = client.get(reverse("applicants:organisation_detail", args=[organisation.slug])).content.decode()
    assert "Confirm as owner" in page and "sam@example.org" in page
    assert client.post(confirm).status_code == 302
    assert Membership.objects.get(user=sam, organisation=organisation).role == Membership.Role.OWNER
    invitation.refresh_from_db()
    assert invitation.owner_confirmed_by == owner and not invitation.awaits_owner_confirmation
