"""Data rights: staff erase a person on request; only what financial and tax law requires is kept (issue 17)."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.models import Invitation, Membership, Organisation
from fund.donations.erasure import stripe_customer_delete_task
from fund.donations.models import Donation, Receipt
from fund.donations.offline import donation_record_offline, pledge_create
from fund.donations.services import donor_get_or_create
from grants.models import ApplicationMessage
from portal import roles
from portal.audit import audit
from portal.erasure import person_erase
from tests.factories.fund import CampaignFactory
from tests.factories.grants_extra import complete, draft_for, round_with_form

pytestmark = pytest.mark.django_db

APPLICANT_NAME = "Ottoline Quarrie"
APPLICANT_EMAIL = "ottoline.quarrie@example.org"
DONOR_NAME = "Bartholomew Fennimore"
DONOR_EMAIL = "b.fennimore@example.org"
DONOR_ADDRESS = "742 Evergreen Terrace"
PASSWORD = "correct-horse-battery"


def tables_holding(*terms):
    """{(table, column)} of every text column, in every table, that holds any of `terms`."""
    found = set()
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField, models.JSONField)):
                continue
            for term in terms:
                if model._base_manager.filter(**{f"{f.attname}__icontains": term}).exists():
                    found.add((model._meta.db_table, f.column))
    return found


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


@pytest.fixture
def applicant(mfa_user_factory):
    user = mfa_user_factory(
        roles.APPLICANT, mfa=False, email=APPLICANT_EMAIL, first_name="Ottoline", last_name="Quarrie"
    )
    application, _owner = draft_for(round_with_form(), user=user)
    complete(application)
    application.answers["contact_name"] = APPLICANT_NAME
    application.answers["problem"] = f"Write to {APPLICANT_EMAIL} about the kits."
    application.save()
    application.organisation.email = APPLICANT_EMAIL
    application.organisation.save()
    ApplicationMessage.objects.create(application=application, author=user, body=f"Thanks, {APPLICANT_NAME}")
    audit(user, "portal.personal_data.download", user=user, data={"format": "json"})
    return user


@pytest.fixture
def donor(finance, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    donor = donor_get_or_create(
        email=DONOR_EMAIL, name=DONOR_NAME, address={"address_line1": DONOR_ADDRESS, "city": "Springfield"}
    )
    with django_capture_on_commit_callbacks(execute=True):  # the receipt is issued after commit
        donation_record_offline(
            donor=donor,
            fund=campaign.fund,
            campaign=campaign,
            amount=Decimal("150.00"),
            method="bank_transfer",
            received_on=timezone.localdate(),
            by=finance,
        )
    return donor


def test_after_erasing_an_applicant_and_a_donor_only_receipted_gifts_keep_their_name(applicant, donor, finance, capsys):
    receipted = Donation.objects.get(donor=donor)
    assert Receipt.objects.filter(donation=receipted, status="issued").exists()
    before = tables_holding(APPLICANT_NAME, APPLICANT_EMAIL, DONOR_NAME, DONOR_EMAIL, DONOR_ADDRESS)
    assert ("applicants_organisation", "email") in before and ("grants_application", "answers") in before

    person_erase(email=APPLICANT_EMAIL, by=finance, reason="Emailed request of 3 May")
    person_erase(email=DONOR_EMAIL, by=finance, reason="Phoned on 4 May")

    assert tables_holding(APPLICANT_NAME, APPLICANT_EMAIL) == set()
    # Tax law: the issued receipt's gift keeps the name and address it was receipted under, and nothing else does.
    assert tables_holding(DONOR_NAME, DONOR_EMAIL, DONOR_ADDRESS) == {
        ("donations_donation", "donor_name"),
        ("donations_donation", "donor_address"),
    }
    donor.refresh_from_db()
    assert donor.name.startswith("Erased person") and donor.email.endswith("@erased.invalid")
    assert donor.donations.count() == 1  # the financial record stays, with a pseudonymised donor

    applicant.refresh_from_db()
    assert not applicant.is_active and applicant.email.endswith("@erased.invalid")
    assert applicant.get_full_name() == ""

    call_command("ledger_check")
    assert "Ledger check passed" in capsys.readouterr().out


def test_erased_applicant_is_signed_out_and_cannot_sign_in(applicant, finance):
    device = Client()
    assert device.post("/accounts/login/", {"login": APPLICANT_EMAIL, "password": PASSWORD}).status_code == 302
    assert device.get("/dashboard/").status_code == 200
    person_erase(email=APPLICANT_EMAIL, by=finance, reason="Emailed request")
    assert device.get("/dashboard/").status_code == 302
    device.post("/accounts/login/", {"login": APPLICANT_EMAIL, "password": PASSWORD})
    assert device.get("/dashboard/").status_code == 302


def test_staff_erase_through_the_admin_screen_after_confirming(client, login, applicant, finance):
    login(finance)
    page = client.get("/admin/erase-person/")
    assert page.status_code == 200
    data = {"email": APPLICANT_EMAIL, "reason": "Emailed request of 3 May"}
    confirmation = client.post("/admin/erase-person/", data)
    assert confirmation.status_code == 200
    assert b"This cannot be undone" in confirmation.content
    assert get_user_model().objects.filter(email=APPLICANT_EMAIL).exists()

    response = client.post("/admin/erase-person/", {**data, "confirmed": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email=APPLICANT_EMAIL).exists()
    applicant.refresh_from_db()
    entry = ModelLogEntry.objects.get(action="portal.person.erase")
    assert entry.user_id == finance.pk and entry.object_id == str(applicant.pk)
    assert APPLICANT_NAME not in entry.label and entry.data["reason"] == "Emailed request of 3 May"


def test_only_program_staff_and_finance_may_erase(client, login, mfa_user_factory, applicant):
    editor = mfa_user_factory(roles.EDITOR)
    login(editor)
    # Wagtail answers a PermissionDenied in the admin by sending the user back to the dashboard.
    response = client.get("/admin/erase-person/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.post("/admin/erase-person/", {"email": APPLICANT_EMAIL, "reason": "x", "confirmed": "yes"})
    assert response.status_code == 302
    with pytest.raises(PermissionDenied):
        person_erase(email=APPLICANT_EMAIL, by=editor, reason="x")
    assert get_user_model().objects.filter(email=APPLICANT_EMAIL).exists()


def test_staff_accounts_are_not_erased_here(finance, mfa_user_factory):
    staff = mfa_user_factory(roles.PROGRAM_STAFF)
    with pytest.raises(PermissionDenied, match="Staff accounts"):
        person_erase(email=staff.email, by=finance, reason="asked")


def test_the_admin_menu_links_to_the_erasure_screen_for_finance_only(client, login, finance, mfa_user_factory):
    login(finance)
    assert "/admin/erase-person/" in client.get("/admin/").content.decode()
    login(mfa_user_factory(roles.EDITOR))
    assert "/admin/erase-person/" not in client.get("/admin/").content.decode()


def test_a_name_in_another_script_is_erased_from_json_answers_too(mfa_user_factory, finance):
    user = mfa_user_factory(roles.APPLICANT, mfa=False, first_name="Zoë", last_name="Łukasiewicz")
    application, _owner = draft_for(round_with_form(), user=user)
    complete(application)
    application.answers["contact_name"] = "Zoë Łukasiewicz"
    application.save()
    person_erase(email=user.email, by=finance, reason="Emailed request")
    application.refresh_from_db()
    assert application.answers["contact_name"].startswith("Erased person")


def test_erased_applicant_leaves_their_organisations_and_their_invitations_are_revoked(applicant, finance):
    organisation = applicant.memberships.get().organisation
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=APPLICANT_EMAIL,
        token_hash="x" * 64,
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    person_erase(email=APPLICANT_EMAIL, by=finance, reason="Emailed request")
    assert not Membership.objects.filter(user=applicant).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()  # the organisation is not the person's
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_erasing_an_online_donor_deletes_their_stripe_customer_once_committed(
    donor, finance, fake_stripe, django_capture_on_commit_callbacks
):
    donor.stripe_customer_id = "cus_erase123"
    donor.save(update_fields=["stripe_customer_id"])
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(email=DONOR_EMAIL, by=finance, reason="Phoned on 4 May")
    [deleted] = fake_stripe.captured("DELETE", "/v1/customers/")
    assert deleted["path"] == "/v1/customers/cus_erase123"
    donor.refresh_from_db()
    assert donor.stripe_customer_id is None
    # Asked again (a retried task), a customer Stripe no longer knows counts as deleted.
    assert stripe_customer_delete_task.call("cus_erase123") == "deleted"


def test_a_pledge_on_the_ledger_does_not_name_its_donor(finance):
    donor = donor_get_or_create(email=DONOR_EMAIL, name=DONOR_NAME)
    campaign = CampaignFactory()
    today = timezone.localdate()
    pledge_create(
        donor=donor,
        fund=campaign.fund,
        amount=Decimal("1000.00"),
        pledged_on=today,
        schedule=[(today, Decimal("1000.00"))],
        by=finance,
    )
    assert tables_holding(DONOR_NAME) & {("fund_ledgertransaction", "memo"), ("fund_entry", "memo")} == set()
