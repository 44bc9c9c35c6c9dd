"""RankingTotals (per round: applications ranked, sum of their undecided requests) is kept by database triggers
(migration review.0005) through every write path: score rows inserted, upserted, moved and deleted, applications
decided through the workflow, saved, updated in bulk, their amounts changed, deleted."""

import importlib
from decimal import Decimal

import pytest
from django.db.models import Case, Count, DecimalField, Sum, Value, When
from django.db.models.functions import Coalesce

from grants.models import Application
from grants.review import selectors
from grants.review.models import ApplicationScore, RankingTotals
from grants.review.results import scores_ensure, scores_refresh
from tests.factories.grants import ApplicationFactory, FundingRoundFactory
from tests.factories.review import PanelFactory, PanelMemberFactory, bulk_reviewed_applications

pytestmark = pytest.mark.django_db


def _from_scratch(funding_round):
    undecided = Case(
        When(application__status__in=selectors.UNDECIDED_STATUSES, then=Coalesce("application__requested_amount", 0)),
        default=Value(0),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    row = ApplicationScore.objects.filter(round=funding_round).aggregate(n=Count("pk"), total=Sum(undecided))
    return row["n"], Decimal(row["total"] or 0).quantize(Decimal("0.01"))


def _kept(funding_round):
    totals = RankingTotals.objects.filter(round=funding_round).first()
    if totals is None:
        return 0, Decimal("0.00")
    return totals.applications, Decimal(totals.undecided_amount).quantize(Decimal("0.01"))


def _round_with(n):
    funding_round = FundingRoundFactory(status="review", reviews_per_application=3, budget=Decimal("100000.00"))
    panel = PanelFactory(round=funding_round)
    members = [PanelMemberFactory(panel=panel) for _ in range(4)]
    return funding_round, bulk_reviewed_applications(funding_round, n, members=members)


def test_the_migration_counts_the_same_undecided_statuses_as_the_ranking():
    migration = importlib.import_module("grants.review.migrations.0005_ranking_totals")
    assert set(migration.UNDECIDED) == {str(s) for s in selectors.UNDECIDED_STATUSES}


def test_totals_follow_every_write_path():
    funding_round, apps = _round_with(12)
    other_round, other_apps = _round_with(3)
    assert _kept(funding_round) == _from_scratch(funding_round) and _kept(funding_round)[0] == 12
    # Saved one by one, updated in bulk, bulk_update: statuses in and out of the undecided ones.
    apps[0].status = Application.Status.APPROVED
    apps[0].save(update_fields=["status"])
    Application.objects.filter(pk__in=[apps[1].pk, apps[2].pk]).update(status=Application.Status.WAITLISTED)
    apps[3].status, apps[4].status = Application.Status.DECLINED, Application.Status.WITHDRAWN
    Application.objects.bulk_update([apps[3], apps[4]], ["status"])
    assert _kept(funding_round) == _from_scratch(funding_round)
    # Amounts changed, including to and from nothing; a decided application's amount counts for nothing.
    Application.objects.filter(pk=apps[5].pk).update(requested_amount=Decimal("1234.56"))
    Application.objects.filter(pk=apps[6].pk).update(requested_amount=None)
    Application.objects.filter(pk=apps[0].pk).update(requested_amount=Decimal("99999.00"))
    assert _kept(funding_round) == _from_scratch(funding_round)
    # Scores recomputed (upserts of existing rows) change nothing; new score rows add; ensure is idempotent.
    scores_refresh(round=funding_round, everything=True)
    fresh = ApplicationFactory(
        round=funding_round, status=Application.Status.IN_REVIEW, requested_amount=Decimal("700")
    )
    scores_ensure(round=funding_round, application_ids=[fresh.pk, apps[7].pk])
    scores_ensure(round=funding_round, application_ids=[fresh.pk])
    assert _kept(funding_round) == _from_scratch(funding_round) and _kept(funding_round)[0] == 13
    # Deleted: the application (its score row with it), a score row alone, a row moved to another round.
    apps[8].delete()
    ApplicationScore.objects.filter(application=apps[9]).delete()
    ApplicationScore.objects.filter(application=apps[10]).update(round=other_round)
    assert _kept(funding_round) == _from_scratch(funding_round) and _kept(funding_round)[0] == 10
    assert _kept(other_round) == _from_scratch(other_round) and _kept(other_round)[0] == 4
    assert other_apps  # the other round's own rows are counted too


def test_a_decision_through_the_workflow_moves_the_funding_line(staff_user):
    from grants import workflow

    funding_round, apps = _round_with(3)
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Application.Status.IN_REVIEW)
    before = _kept(funding_round)
    workflow.application_transition(
        application=apps[0], action="decline", by=staff_user, actor=workflow.STAFF, reason="x"
    )
    apps[0].refresh_from_db()
    assert apps[0].status == Application.Status.DECLINED
    assert _kept(funding_round) == _from_scratch(funding_round)
    assert _kept(funding_round)[1] == before[1] - apps[0].requested_amount


def test_a_round_deletes_with_its_totals_and_progress():
    from grants.review.models import ReviewProgress

    funding_round, apps = _round_with(4)
    assert RankingTotals.objects.filter(round=funding_round).exists()
    assert ReviewProgress.objects.filter(round=funding_round).count() == 4
    Application.objects.filter(round=funding_round).delete()  # a round with applications is protected
    assert _kept(funding_round) == (0, Decimal("0.00"))
    assert not ReviewProgress.objects.filter(round=funding_round).exists()
    funding_round.delete()
    assert not RankingTotals.objects.filter(round_id=funding_round.pk).exists()
    assert not ReviewProgress.objects.filter(round_id=funding_round.pk).exists()
    assert not Application.objects.filter(pk__in=[a.pk for a in apps]).exists()
