"""The audit history of an application, award, payment and donation, on its staff page, only for those who see it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fund.donations import offline
from grants.awards.models import Disbursement
from portal import roles
from portal.audit import audit
from tests.factories.awards import accepted_award
from tests.factories.donations import DonorFactory

from .test_views import reauthenticated

pytestmark = pytest.mark.django_db

HEADING = "Audit history"


@pytest.fixture
def reviewer(mfa_user_factory):
    return mfa_user_factory(roles.REVIEWER)


def _page(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_program_staff_see_who_did_what_to_an_application(client, login, application, staff, owner, reviewer):
    audit(application, "grants.application.start", user=owner)
    url = reverse("grants_admin:application_detail", args=[application.pk])
    login(staff)
    status, body = _page(client, url)
    assert status == 200 and HEADING in body
    assert "Application started" in body and "Rosa Delgado" in body

    login(reviewer)
    status, body = _page(client, url)
    assert status == 403 and HEADING not in body and "Application started" not in body


def test_the_history_costs_the_same_queries_however_long(client, login, application, staff, owner):
    url = reverse("grants_admin:application_detail", args=[application.pk])
    login(staff)
    audit(application, "grants.application.start", user=owner)
    client.get(url)  # warm caches (site, settings)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _i in range(6):
        audit(application, "grants.application.start", user=staff)
    with CaptureQueriesContext(connection) as seven:
        body = client.get(url).content.decode()
    assert body.count("Application started") >= 7
    assert len(seven) == len(one)


def test_staff_and_finance_see_an_awards_history_reviewers_do_not(
    client, login, application, staff, owner, finance_1, reviewer
):
    award = accepted_award(application=application, staff=staff, owner=owner)
    url = reverse("awards_admin:award_detail", args=[award.pk])
    for user in (staff, finance_1):
        login(user)
        status, body = _page(client, url)
        assert status == 200 and HEADING in body and "Award accepted" in body
    login(reviewer)
    status, body = _page(client, url)
    assert status == 403 and "Award accepted" not in body


def test_finance_see_a_payments_history_program_staff_do_not(
    client, login, application, staff, owner, finance_1, finance_2
):
    award = accepted_award(application=application, staff=staff, owner=owner)
    login(finance_1)
    client.post(reverse("awards_admin:tranche_prepare", args=[award.tranches.get().pk]))
    url = reverse("awards_admin:disbursement_approve", args=[Disbursement.objects.get().pk])
    login(finance_2)
    reauthenticated(client, finance_2)
    status, body = _page(client, url)
    assert status == 200 and HEADING in body
    history = body.split(HEADING, 1)[1]
    assert "Payment prepared" in history
    assert (finance_1.get_full_name() or finance_1.email) in history

    login(staff)
    reauthenticated(client, staff)
    status, body = _page(client, url)
    assert status == 403 and HEADING not in body


def test_donation_history_for_finance_not_for_reviewers(client, login, fund, finance_1, reviewer):
    gift = offline.donation_record_offline(
        donor=DonorFactory(),
        fund=fund,
        amount="750.00",
        method="cheque",
        received_on=timezone.localdate(),
        reference="CHQ 1001",
        by=finance_1,
    )
    url = reverse("donations_admin:detail", args=[gift.pk])
    login(finance_1)
    status, body = _page(client, url)
    assert status == 200 and HEADING in body and "Offline gift recorded" in body
    login(reviewer)
    status, body = _page(client, url)
    assert status in (302, 403) and HEADING not in body
