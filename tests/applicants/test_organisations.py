from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants import services
from applicants.models import Invitation, Membership, Organisation
from applicants.validators import normalise_registration_number
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db


def verified_user(email, **kwargs):
    """A user who has confirmed `email` (invitations are accepted only by the address they were sent to)."""
    user = UserFactory(email=email, **kwargs)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.mark.parametrize(
    "country,number,expected",
    [
        ("US", "123456789", "12-3456789"),
        ("GB", "1123456", "1123456"),
        ("GB", "sc012345", "SC012345"),
        ("CA", "123456782 RR 0001", "123456782RR0001"),
    ],
)
def test_valid_registration_numbers_are_normalised(country, number, expected):
    assert normalise_registration_number(country, "registered_charity", number) == expected


@pytest.mark.parametrize(
    "country,number,expected",
    [
        ("GB", "01234567", "01234567"),  # company limited by guarantee or CIC, England and Wales
        ("GB", "sc123456", "SC123456"),  # Scottish company (or Scottish charity: the same shape)
        ("GB", "NI 012345", "NI012345"),  # Northern Ireland company
        ("GB", "nic100002", "NIC100002"),  # Northern Ireland charity
        ("GB", "CE001234", "CE001234"),  # charitable incorporated organisation
        ("CA", "123456782 RC 0001", "123456782RC0001"),  # non-charity nonprofit corporation
        ("CA", "123456782RR0001", "123456782RR0001"),
    ],
)
def test_uk_company_numbers_and_canadian_nonprofit_accounts_are_accepted(country, number, expected):
    assert normalise_registration_number(country, "nonprofit_corporation", number) == expected


@pytest.mark.parametrize(
    "country,number,message",
    [
        ("US", "12-34", "not a valid US EIN"),
        ("GB", "ABC123", "not a UK charity or company number"),
        ("GB", "XX123456", "Companies and CICs: 8 characters"),
        ("GB", "NIC12345", "NIC and 6 digits"),
        ("CA", "123456782RC0001", "RR and 4 digits"),  # a business number, but not a charity's RR account
        ("CA", "123456789RR0001", "not a valid Canadian"),  # wrong check digit
        ("CA", "123456789RC0001", "first 9 digits do not check out"),  # wrong check digit (stdnum)
        ("CA", "123456782RT0001", "RR \\(registered charity\\) or RC"),  # payroll account: not an organisation's
    ],
)
def test_invalid_registration_numbers_get_a_clear_message(country, number, message):
    with pytest.raises(ValidationError, match=message):
        normalise_registration_number(country, "registered_charity", number)


def test_creating_an_organisation_makes_the_user_an_owner_and_applicant(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("applicants:organisation_create"),
        {
            "legal_name": "Northside Peer Drop-in",
            "org_type": "nonprofit_corporation",
            "country": "US",
            "registration_number": "123456789",
            "publicly_named": "on",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(legal_name="Northside Peer Drop-in")
    assert organisation.registration_number == "12-3456789"
    assert Membership.objects.get(user=user, organisation=organisation).role == "owner"
    assert user.groups.filter(name="Applicant").exists()
    assert client.session["current_organisation_id"] == organisation.pk


def test_unincorporated_group_must_name_a_fiscal_sponsor(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("applicants:organisation_create"),
        {
            "legal_name": "Eastbank Clean-up",
            "org_type": "unincorporated",
            "country": "US",
        },
    )
    assert response.status_code == 200
    assert "must name its fiscal sponsor" in response.content.decode()
    assert not Organisation.objects.exists()


def test_bad_registration_number_shown_beside_the_field(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("applicants:organisation_create"),
        {
            "legal_name": "X",
            "org_type": "registered_charity",
            "country": "CA",
            "registration_number": "123",
        },
    )
    assert 'href="#id_registration_number"' in response.content.decode()


def test_invitation_email_and_accept_while_signed_in(client, django_capture_on_commit_callbacks):
    owner = MembershipFactory().user
    organisation = owner.memberships.get().organisation
    invitee = verified_user("sam@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.invitation_create(
            organisation=organisation, email="Sam@Example.org", role="member", by=owner
        )
    assert mail.outbox[0].to == ["sam@example.org"] and token in mail.outbox[0].body
    client.force_login(invitee)
    response = client.post(reverse("applicants:invitation_accept", args=[token]))
    assert response.status_code == 302
    assert Membership.objects.get(user=invitee, organisation=organisation).role == "member"
    assert (
        client.post(reverse("applicants:invitation_accept", args=[token])).status_code == 302
    )  # used: refused politely
    assert Membership.objects.filter(organisation=organisation).count() == 2


def test_invitation_opened_signed_out_is_accepted_after_login(client):
    owner = MembershipFactory().user
    organisation = owner.memberships.get().organisation
    _invitation, token = services.invitation_create(
        organisation=organisation, email="new@example.org", role="member", by=owner
    )
    response = client.get(reverse("applicants:invitation_accept", args=[token]))
    assert response.status_code == 200 and "Sign in" in response.content.decode()
    newcomer = verified_user("new@example.org")
    assert not Membership.objects.filter(user=newcomer).exists()
    client.force_login(newcomer)  # signing in (or confirming a new account) fires user_logged_in with this session
    assert Membership.objects.filter(user=newcomer, organisation=organisation).exists()


def test_expired_invitation_is_refused():
    owner = MembershipFactory().user
    organisation = owner.memberships.get().organisation
    invitation, token = services.invitation_create(
        organisation=organisation, email="late@example.org", role="member", by=owner
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(token=token, by=UserFactory())


def test_only_owners_invite_and_manage_members(client):
    member = MembershipFactory(role="member")
    organisation = member.organisation
    client.force_login(member.user)
    assert client.get(reverse("applicants:invitation_create", args=[organisation.slug])).status_code == 403
    owner = MembershipFactory(organisation=organisation, role="owner")
    response = client.post(
        reverse("applicants:member_change_role", args=[organisation.slug, owner.pk]), {"role": "member"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_last_owner_cannot_be_demoted_or_removed():
    owner = MembershipFactory(role="owner")
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_change_role(membership=owner, role="member", by=owner.user)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_remove(membership=owner, by=owner.user)


def test_organisation_pages_are_404_for_non_members(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("applicants:organisation_detail", args=[organisation.slug])).status_code == 404
    assert client.get(reverse("applicants:organisation_edit", args=[organisation.slug])).status_code == 404


def test_switcher_only_switches_to_own_organisations(client):
    first = MembershipFactory()
    second = MembershipFactory(user=first.user)
    stranger = OrganisationFactory()
    client.force_login(first.user)
    client.post(reverse("applicants:organisation_switch"), {"organisation": second.organisation.pk})
    assert client.session["current_organisation_id"] == second.organisation.pk
    assert client.post(reverse("applicants:organisation_switch"), {"organisation": stranger.pk}).status_code == 404
    assert Group.objects.filter(name="Applicant").exists()
