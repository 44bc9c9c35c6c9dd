"""The Wagtail admin home is a work queue: per role, counts and links to what needs someone; empty states say so; the
page costs the same number of queries however much is waiting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.awards.models import Award
from grants.impact.models import ImpactReport
from grants.models import Application
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


def _from_scratch():
    """The review items counted the way the queue did before ReviewProgress: aggregating every assignment."""
    from django.db.models import Count, F, Q

    in_review = Application.objects.filter(status=Application.Status.IN_REVIEW)
    assign = (
        in_review.annotate(reviewers=Count("review_assignments", filter=~Q(review_assignments__status="recused")))
        .filter(reviewers__lt=F("round__reviews_per_application"))
        .values("round_id")
        .distinct()
        .count()
    )
    decide = (
        in_review.annotate(
            waiting=Count("review_assignments", filter=Q(review_assignments__status="assigned")),
            done=Count("review_assignments", filter=Q(review_assignments__status="completed")),
        )
        .filter(waiting=0, done__gt=0)
        .count()
    )
    return {"assign": assign, "decide": decide}


def _review_counts(user):
    counts = _counts(user)
    return {"assign": counts["assign"], "decide": counts["decide"]}


def test_review_progress_follows_every_write_path(staff):
    from grants.review.models import ReviewProgress
    from tests.factories.review import bulk_reviewed_applications

    funding_round = FundingRoundFactory(reviews_per_application=2)
    other_round = FundingRoundFactory(reviews_per_application=1)
    panel = PanelFactory(round=funding_round)
    members = [PanelMemberFactory(panel=panel) for _ in range(3)]
    assert _review_counts(staff) == _from_scratch() == {"assign": 0, "decide": 0}
    # Bulk-created in review with their reviews all in (the bench's and the factories' way).
    reviewed = bulk_reviewed_applications(funding_round, 3, members=members, per_application=2)
    assert _review_counts(staff) == _from_scratch() == {"assign": 0, "decide": 3}
    # Created one by one, moved into review by save, update() and bulk_update().
    fresh = [ApplicationFactory(round=funding_round, status="submitted") for _ in range(3)]
    fresh[0].status = Application.Status.IN_REVIEW
    fresh[0].save(update_fields=["status"])
    Application.objects.filter(pk=fresh[1].pk).update(status=Application.Status.IN_REVIEW)
    fresh[2].status = Application.Status.IN_REVIEW
    Application.objects.bulk_update([fresh[2]], ["status"])
    assert _review_counts(staff) == _from_scratch() == {"assign": 1, "decide": 3}
    # Assigned, completed, recused, reopened, deleted.
    first = Assignment.objects.create(application=fresh[0], member=members[0])
    Assignment.objects.create(application=fresh[0], member=members[1])
    assert _review_counts(staff) == _from_scratch()
    first.status = Assignment.Status.COMPLETED
    first.save(update_fields=["status"])
    Assignment.objects.filter(application=fresh[0], member=members[1]).update(status=Assignment.Status.RECUSED)
    assert _review_counts(staff) == _from_scratch() == {"assign": 1, "decide": 4}
    Assignment.objects.filter(pk=first.pk).update(status=Assignment.Status.ASSIGNED)  # a review reopened
    assert _review_counts(staff) == _from_scratch() == {"assign": 1, "decide": 3}
    Assignment.objects.filter(application=reviewed[0]).first().delete()
    assert _review_counts(staff) == _from_scratch()
    # Decided (out of review), moved to another round, deleted.
    Application.objects.filter(pk=reviewed[1].pk).update(status=Application.Status.APPROVED)
    Application.objects.filter(pk__in=[f.pk for f in fresh]).update(round=other_round)
    reviewed[2].delete()
    assert _review_counts(staff) == _from_scratch()
    assert not ReviewProgress.objects.filter(application_id=reviewed[2].pk).exists()


def test_the_migration_counts_the_same_statuses_as_the_models():
    import importlib

    migration = importlib.import_module("grants.review.migrations.0006_review_progress")
    assert migration.IN_REVIEW == Application.Status.IN_REVIEW
    assert (migration.ASSIGNED, migration.RECUSED, migration.COMPLETED) == (
        Assignment.Status.ASSIGNED,
        Assignment.Status.RECUSED,
        Assignment.Status.COMPLETED,
    )


def test_counts_stop_at_the_cap_and_say_there_are_more(client, staff, monkeypatch):
    from grants import workqueue

    monkeypatch.setattr(workqueue, "CAP", 3)
    funding_round = FundingRoundFactory()
    for _ in range(5):
        ApplicationFactory(round=funding_round, status="submitted")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        screen = next(item for item in work_queue(staff) if item["key"] == "screen")
    assert (screen["count"], screen["more"]) == (3, True)
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 8 and all("LIMIT 4" in sql for sql in counts)  # every item reads at most CAP + 1 rows
    client.force_login(staff)
    assert (
        '<strong class="work-queue__count">3+</strong> Applications to screen' in client.get("/admin/").content.decode()
    )
    Application.objects.filter(status="submitted").first().delete()
    Application.objects.filter(status="submitted").first().delete()
    screen = next(item for item in work_queue(staff) if item["key"] == "screen")
    assert (screen["count"], screen["more"]) == (3, False)
