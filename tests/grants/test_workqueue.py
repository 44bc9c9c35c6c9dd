"""The Wagtail admin home is a work queue: per role, counts and links to what needs someone; empty states say so; the
page costs the same number of queries however much is waiting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.awards.models import Award
from grants.impact.models import ImpactReport
from grants.review.models import Assignment
from grants.workqueue import work_queue
from portal import roles
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, grantee_owner, make_award
from tests.factories.grants import ApplicationFactory, FundingRoundFactory
from tests.factories.impact import AwardRowFactory, make_report
from tests.factories.review import PanelFactory, PanelMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(mfa_user_factory):
    return mfa_user_factory(roles.PROGRAM_STAFF)


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


def _counts(user):
    return {item["key"]: item["count"] for item in work_queue(user)}


def _pile_up(n, staff):
    """n of everything the queue counts."""
    funding_round = FundingRoundFactory(
        budget=Decimal("10000000.00"), reviews_per_application=2, review_deadline=timezone.now() - timedelta(days=1)
    )
    fund_with_money(funding_round.fund, "10000000.00")
    panel = PanelFactory(round=funding_round)
    today = timezone.localdate()
    for _ in range(n):
        ApplicationFactory(round=funding_round, status="submitted")
        waiting = ApplicationFactory(round=funding_round, status="in_review")
        Assignment.objects.create(application=waiting, member=PanelMemberFactory(panel=panel))  # 1 of 2, overdue
        done = ApplicationFactory(round=funding_round, status="in_review")
        for _ in range(2):
            Assignment.objects.create(
                application=done, member=PanelMemberFactory(panel=panel), status=Assignment.Status.COMPLETED
            )
        make_award(application=ApprovedApplicationFactory(round=funding_round), by=staff, amount="100.00")
        from grants.awards.offers import award_prepare

        award_prepare(application=ApprovedApplicationFactory(round=funding_round), amount=Decimal("100.00"), by=staff)
        row = AwardRowFactory(application=ApprovedApplicationFactory(round=funding_round))
        make_report(row, 1, period_start=today - timedelta(days=90), period_end=today, status="submitted")
        make_report(
            row,
            2,
            period_start=today - timedelta(days=90),
            period_end=today,
            due_date=today - timedelta(days=1),
            status="due",
        )
    return funding_round


def test_program_staff_see_the_grant_cycle_and_finance_the_payments(staff, finance):
    _pile_up(2, staff)
    assert _counts(staff) == {
        "screen": 2,
        "assign": 1,
        "reviews_overdue": 2,
        "decide": 2,
        "offers_to_send": 2,
        "offers_awaiting": 2,
        "reports_to_review": 2,
        "reports_overdue": 2,
    }
    assert _counts(finance) == {"payments_to_approve": 0, "payments_to_batch": 0, "batches_to_confirm": 0}


def test_payments_awaiting_my_approval_leave_out_the_ones_i_prepared(staff, finance, mfa_user_factory):
    from grants.awards.payments import disbursement_prepare
    from tests.factories.awards import accepted_award

    other = mfa_user_factory(roles.FINANCE)
    funding_round = FundingRoundFactory(budget=Decimal("100000.00"))
    fund_with_money(funding_round.fund, "100000.00")
    application = ApprovedApplicationFactory(round=funding_round)
    owner = grantee_owner(application.organisation, first_name="Rosa", last_name="Delgado")
    award = accepted_award(application=application, staff=staff, owner=owner, amount="1000.00")
    disbursement_prepare(tranche=award.tranches.get(), by=finance)
    assert _counts(finance)["payments_to_approve"] == 0
    assert _counts(other)["payments_to_approve"] == 1


def test_the_home_page_shows_the_queue_with_empty_states_and_links(client, staff, finance, editor):
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    assert "What needs you" in page and "Nothing is waiting for you right now." in page
    assert "No application is waiting to be screened." in page
    _pile_up(1, staff)
    page = client.get("/admin/").content.decode()
    assert '<strong class="work-queue__count">1</strong> Applications to screen' in page
    assert "/admin/applications/?status=submitted" in page
    assert "Payments awaiting my approval" not in page  # not this role's work
    client.force_login(finance)
    assert "Payments awaiting my approval" in client.get("/admin/").content.decode()
    client.force_login(editor)
    assert "What needs you" not in client.get("/admin/").content.decode()


def test_the_queue_costs_the_same_queries_however_much_is_waiting(
    client, staff, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _pile_up(1, staff)
    client.get("/admin/")  # warm caches (content types, site) so both counts compare the same work
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/").status_code == 200
    _pile_up(6, staff)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/admin/").status_code == 200
    assert Award.objects.count() > 7 and ImpactReport.objects.count() > 7
