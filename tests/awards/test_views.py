"""Grantee pages and staff/finance admin screens: permissions for every role, the flows, and query budgets."""

import io
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from grants.awards.models import Award, BankDetails, Disbursement
from portal import roles
from tests.factories.awards import ApprovedApplicationFactory, accepted_award, grantee_owner, make_award, two_tranches

pytestmark = pytest.mark.django_db


def reauthenticated(client, user):
    """Mark the session as freshly authenticated, as allauth's reauthenticate flow does."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def offered(application, staff):
    return make_award(application=application, by=staff, amount="10000.00", tranches=two_tranches("10000.00"))


def test_owner_accepts_the_offer_online(client, login, offered, owner):
    login(owner)
    page = client.get(reverse("awards:award_detail", args=[offered.pk]))
    assert page.status_code == 200 and b"Sign and accept" in page.content

    response = client.post(
        reverse("awards:award_accept", args=[offered.pk]),
        {"typed_name": "Rosa Delgado", "agree": "on"},
        REMOTE_ADDR="192.0.2.44",
    )

    assert response.status_code == 302
    offered.refresh_from_db()
    assert (offered.status, offered.accepted_ip) == (Award.Status.ACCEPTED, "192.0.2.44")


def test_wrong_typed_name_shows_an_error_and_changes_nothing(client, login, offered, owner):
    login(owner)
    response = client.post(
        reverse("awards:award_accept", args=[offered.pk]), {"typed_name": "Mickey Mouse", "agree": "on"}
    )
    assert response.status_code == 400
    assert b"Type your full name" in response.content
    assert Award.objects.get(pk=offered.pk).status == Award.Status.OFFERED


def test_strangers_cannot_see_an_award(client, login, offered, mfa_user_factory):
    login(mfa_user_factory(roles.APPLICANT, mfa=False))
    assert client.get(reverse("awards:award_detail", args=[offered.pk])).status_code == 404
    assert client.get(reverse("awards:award_agreement", args=[offered.pk])).status_code == 404
    assert client.post(reverse("awards:award_decline", args=[offered.pk])).status_code == 404


def test_agreement_pdf_names_the_parties_amount_and_schedule(client, login, offered, owner):
    login(owner)
    response = client.get(reverse("awards:award_agreement", args=[offered.pk]))

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Grant agreement" in text
    assert offered.organisation.legal_name in text
    assert "$10,000.00" in text and "$5,000.00" in text
    assert "Payment schedule" in text


def test_agreement_uses_the_funds_template(application, staff):
    fund = application.round.fund
    fund.agreement_template = "Between {fund_legal_name} and {grantee_legal_name}: {amount}. Unknown {nope} stays."
    fund.save()
    award = make_award(application=application, by=staff, amount="2500.00")
    assert award.agreement_text == (
        f"Between {fund.legal_name} and {application.organisation.legal_name}: $2,500.00. Unknown {{nope}} stays."
    )


def test_bank_details_change_needs_reauthentication_and_emails_owners(
    client, login, application, owner, django_capture_on_commit_callbacks
):
    url = reverse("awards:bank_details_edit", args=[application.organisation.slug])
    login(owner)
    response = client.get(url)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]

    reauthenticated(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "country": "US",
                "account_name": "Group",
                "routing_number": "011000015",
                "account_number": "123456789",
                "account_type": "checking",
            },
        )

    assert response.status_code == 302
    details = BankDetails.objects.get(organisation=application.organisation)
    assert "123456789" not in details.account_number_encrypted
    assert details.masked_account == "••••6789"
    assert mail.outbox[-1].to == [owner.email]
    page = client.get(reverse("awards:bank_details", args=[application.organisation.slug]))
    assert "••••6789".encode() in page.content and b"123456789" not in page.content


def test_invalid_routing_number_is_refused(client, login, application, owner):
    login(owner)
    reauthenticated(client, owner)
    response = client.post(
        reverse("awards:bank_details_edit", args=[application.organisation.slug]),
        {
            "country": "US",
            "account_name": "Group",
            "routing_number": "123456789",
            "account_number": "123456789",
            "account_type": "checking",
        },
    )
    assert response.status_code == 200 and b"valid 9-digit routing number" in response.content
    assert not BankDetails.objects.exists()


def test_member_who_is_not_owner_cannot_change_bank_details(client, login, application):
    from tests.factories.applicants import MembershipFactory

    member = MembershipFactory(organisation=application.organisation, role="member").user
    login(member)
    reauthenticated(client, member)
    assert client.get(reverse("awards:bank_details_edit", args=[application.organisation.slug])).status_code == 404


# --- Admin screens --------------------------------------------------------------------------------------------

ADMIN_PAGES = [
    "awards_admin:finance_dashboard",
    "awards_admin:award_list",
    "awards_admin:disbursement_list",
    "awards_admin:batch_list",
    "fund_admin:ledger",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_editor_is_denied_every_money_screen(client, login, mfa_user_factory, name, fund):
    login(mfa_user_factory(roles.EDITOR))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
@pytest.mark.parametrize("role", [roles.FINANCE, roles.PROGRAM_STAFF])
def test_finance_and_program_staff_can_read_money_screens(client, login, mfa_user_factory, name, role, fund):
    login(mfa_user_factory(role))
    assert client.get(reverse(name)).status_code == 200


def test_program_staff_cannot_prepare_payments_and_finance_cannot_terminate(
    client, login, application, staff, owner, finance_1
):
    award = accepted_award(application=application, staff=staff, owner=owner)
    tranche = award.tranches.get()
    login(staff)
    assert client.post(reverse("awards_admin:tranche_prepare", args=[tranche.pk])).status_code == 403
    login(finance_1)
    assert client.post(reverse("awards_admin:award_terminate", args=[award.pk]), {"reason": "x"}).status_code == 403
    assert Award.objects.get(pk=award.pk).status == Award.Status.ACCEPTED


def test_four_eyes_through_the_admin(client, login, application, staff, owner, finance_1, finance_2, fund):
    award = accepted_award(application=application, staff=staff, owner=owner)
    login(finance_1)
    client.post(reverse("awards_admin:tranche_prepare", args=[award.tranches.get().pk]))
    disbursement = Disbursement.objects.get()
    approve = reverse("awards_admin:disbursement_approve", args=[disbursement.pk])

    reauthenticated(client, finance_1)
    client.post(approve)
    assert Disbursement.objects.get().status == "pending"

    login(finance_2)
    assert "reauthenticate" in client.post(approve)["Location"]
    reauthenticated(client, finance_2)
    # The approver sees where the money goes: the payee, the masked account and when its details last changed.
    screen = client.get(approve).content.decode()
    assert "Paid to (name on the account)" in screen and "••••" in screen and "Bank details last changed" in screen
    client.post(approve)
    assert Disbursement.objects.get().status == "approved"

    response = client.post(reverse("awards_admin:batch_create"), {"fund": fund.pk})
    batch = Disbursement.objects.get().batch
    assert response["Location"] == reverse("awards_admin:batch_detail", args=[batch.pk])
    nacha = client.get(reverse("awards_admin:batch_download", args=[batch.pk, "nacha"]))
    assert nacha.status_code == 302  # the test fund has no originating bank yet: a clear message, not a 500
    csv_file = client.get(reverse("awards_admin:batch_download", args=[batch.pk, "csv"]))
    assert csv_file["Content-Disposition"].startswith("attachment;") and b"10000.00" in csv_file.content
    mark_paid = reverse("awards_admin:batch_mark_paid", args=[batch.pk])
    client.post(mark_paid, {"confirmed": "yes"})
    assert Disbursement.objects.get().status == "exported"  # whoever exported the file never marks it paid
    login(finance_1)
    page = client.post(mark_paid)  # first the page that restates what marking it paid does
    assert b"posted to the ledger as paid" in page.content and Disbursement.objects.get().status == "exported"
    client.post(mark_paid, {"confirmed": "yes"})
    assert Disbursement.objects.get().status == "paid"


def test_staff_prepare_offer_with_split_helper(client, login, offered, staff):
    login(staff)
    url = reverse("awards_admin:award_prepare_offer", args=[offered.pk])
    assert client.get(url).status_code == 200
    data = {
        "amount": "9000.00",
        "offer_expires_on": "2030-01-31",
        "split": "percent",
        "percentages": "50, 25, 25",
        "tranches-TOTAL_FORMS": "3",
        "tranches-INITIAL_FORMS": "0",
        "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "12",
    }
    for i, (date, cond, report) in enumerate(
        [("2030-02-01", "on_acceptance", ""), ("2030-06-01", "on_report_approval", "1"), ("2030-12-01", "on_date", "")]
    ):
        data.update(
            {f"tranches-{i}-due_date": date, f"tranches-{i}-condition": cond, f"tranches-{i}-report_number": report}
        )

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    offered.refresh_from_db()
    assert offered.amount == Decimal("9000.00")
    assert list(offered.tranches.values_list("amount", flat=True)) == [
        Decimal("4500.00"),
        Decimal("2250.00"),
        Decimal("2250.00"),
    ]


def test_prepare_offer_refuses_tranches_that_do_not_add_up(client, login, offered, staff):
    login(staff)
    data = {
        "amount": "9000.00",
        "offer_expires_on": "2030-01-31",
        "split": "",
        "tranches-TOTAL_FORMS": "1",
        "tranches-INITIAL_FORMS": "0",
        "tranches-MIN_NUM_FORMS": "0",
        "tranches-MAX_NUM_FORMS": "12",
        "tranches-0-amount": "8999.99",
        "tranches-0-due_date": "2030-02-01",
        "tranches-0-condition": "on_acceptance",
    }
    response = client.post(reverse("awards_admin:award_prepare_offer", args=[offered.pk]), data)
    assert response.status_code == 200
    assert b"add up to 8999.99" in response.content
    assert Award.objects.get(pk=offered.pk).amount == Decimal("10000.00")


def _many_awards(funding_round, staff, n):
    for _ in range(n):
        make_award(
            application=ApprovedApplicationFactory(round=funding_round),
            by=staff,
            amount="100.00",
            tranches=two_tranches("100.00"),
        )


@pytest.mark.parametrize("name", ["awards_admin:award_list", "awards_admin:finance_dashboard", "fund_admin:ledger"])
def test_money_screens_have_a_flat_query_budget(
    client, login, funding_round, staff, finance_1, django_assert_max_num_queries, name
):
    login(finance_1)
    _many_awards(funding_round, staff, 2)
    with django_assert_max_num_queries(30):
        assert client.get(reverse(name)).status_code == 200
    _many_awards(funding_round, staff, 12)
    with django_assert_max_num_queries(30):
        assert client.get(reverse(name)).status_code == 200


def test_ledger_drill_down_and_csv_export(client, login, offered, finance_1):
    from fund.models import LedgerTransaction

    login(finance_1)
    txn = LedgerTransaction.objects.get(kind="award_committed")
    page = client.get(reverse("fund_admin:transaction_detail", args=[txn.pk]))
    assert reverse("awards_admin:award_detail", args=[offered.pk]).encode() in page.content
    export = client.get(reverse("fund_admin:ledger_csv", args=[offered.fund.pk]))
    body = b"".join(export.streaming_content).decode()
    assert "Award committed" in body and "10000.00" in body


def test_grantee_award_list_shows_only_their_awards_with_flat_queries(
    client, login, funding_round, staff, django_assert_max_num_queries
):
    mine = ApprovedApplicationFactory(round=funding_round)
    owner = grantee_owner(mine.organisation, first_name="Rosa", last_name="Delgado")
    make_award(application=mine, by=staff, amount="100.00")
    make_award(application=ApprovedApplicationFactory(round=funding_round), by=staff, amount="100.00")
    login(owner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("awards:award_list"))
    assert response.context["awards"].count() == 1
    accepted = accepted_award(
        application=ApprovedApplicationFactory(organisation=mine.organisation, round=funding_round),
        staff=staff,
        owner=owner,
        amount="100.00",
    )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("awards:award_list")).status_code == 200
    page = client.get(reverse("awards:award_detail", args=[accepted.pk]))
    assert reverse("awards:bank_details", args=[mine.organisation.slug]).encode() in page.content
