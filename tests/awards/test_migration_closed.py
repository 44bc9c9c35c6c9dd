"""Migration awards.0003: a former "completed" award (every tranche paid) is Closed only if its final report is approved
(or it asked for none); otherwise it is Active again. Tranches whose condition was met are marked released."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("awards", "0002_initial")]
AFTER = [("awards", "0003_offer_prepared_then_sent_award_closed")]


def _migrate(targets):
    """Migrate awards to `targets`; the state of every app as it then is. Migrating awards back also unapplies what
    depends on its later migrations (impact's rollup, say): the state is the applied migrations', not the leaves'."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state([key for key in loader.applied_migrations if key in loader.graph.nodes]).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Later tests need every migration applied: return awards to its latest migration whatever happens here."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_completed_awards_become_closed_or_active_by_their_final_report():
    from tests.factories.grants import ApplicationFactory

    applications = [ApplicationFactory(status="approved") for _ in range(3)]
    old = _migrate(BEFORE)
    Award = old.get_model("awards", "Award")
    Tranche = old.get_model("awards", "Tranche")
    Requirement = old.get_model("impact", "ReportRequirement")
    Report = old.get_model("impact", "ImpactReport")
    awards = []
    for application in applications:
        awards.append(
            Award.objects.create(
                application_id=application.pk,
                fund_id=application.round.fund_id,
                round_id=application.round_id,
                organisation_id=application.organisation_id,
                approved_amount=Decimal("100.00"),
                amount=Decimal("100.00"),
                currency="USD",
                status="completed",
                offered_at="2025-01-01T10:00:00Z",
                offer_expires_on=date(2025, 2, 1),
                accepted_at="2025-01-05T10:00:00Z",
            )
        )
        Tranche.objects.create(
            award=awards[-1], sequence=1, amount=Decimal("100.00"), due_date=date(2025, 1, 5), status="paid"
        )
    for award, status in ((awards[0], "approved"), (awards[1], "submitted")):
        requirement = Requirement.objects.create(
            award=award,
            number=1,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 6, 30),
            due_date=date(2025, 7, 30),
            final=True,
        )
        Report.objects.create(
            requirement=requirement,
            award=award,
            number=1,
            period_start=requirement.period_start,
            period_end=requirement.period_end,
            due_date=requirement.due_date,
            final=True,
            status=status,
        )

    new = _migrate(AFTER)

    Award = new.get_model("awards", "Award")
    statuses = [Award.objects.get(pk=a.pk).status for a in awards]
    assert statuses == ["closed", "accepted", "closed"]  # final approved / still in review / no reports at all
    Tranche = new.get_model("awards", "Tranche")
    assert Tranche.objects.filter(released_at__isnull=True).count() == 0  # paid on acceptance: released then
