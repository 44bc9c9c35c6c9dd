"""The demo is made by the product: what the services guarantee holds for every record `seed_demo` writes."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from fund.ledger import source_ref
from fund.models import LedgerTransaction
from grants.awards.models import Award, Disbursement, Tranche
from grants.impact.models import ImpactReport, ReportRequirement
from grants.impact.schedule import planned_reports, round_metrics
from grants.models import Application
from grants.review.models import Decision

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _logged(obj, action, **data):
    entries = ModelLogEntry.objects.filter(object_id=str(obj.pk), action=action)
    return any(all(entry.data.get(k) == v for k, v in data.items()) for entry in entries)


def test_every_demo_record_is_one_the_services_would_have_made(demo, capsys):

    # Every accepted award has the report requirements of its round's reporting plan, asking the round's metrics.
    accepted = Award.objects.filter(accepted_at__isnull=False).select_related("round")
    assert accepted.count() >= 4
    for award in accepted:
        requirements = list(ReportRequirement.objects.filter(award=award).order_by("number"))
        if award.status == Award.Status.TERMINATED:
            continue  # staff took its unfiled reports off the schedule before ending it
        planned = planned_reports(award)
        assert [(r.period_start, r.period_end, r.due_date) for r in requirements] == [
            (p.period_start, p.period_end, p.due_date) for p in planned
        ], award
        asked = {m.pk for m, _required in round_metrics(award.round)}
        assert all(set(r.metrics.values_list("pk", flat=True)) == asked for r in requirements)

    # Every decision and every payment has its audit entry; every paid tranche its ledger transaction.
    decisions = list(Decision.objects.select_related("application"))
    assert len(decisions) == 12
    for decision in decisions:
        assert _logged(decision.application, f"review.decision.{decision.outcome}", decision=decision.pk), decision
    for disbursement in Disbursement.objects.all():
        assert _logged(disbursement, "awards.disbursement.prepare"), disbursement
    paid_tranches = Tranche.objects.filter(status=Tranche.Status.PAID)
    assert paid_tranches.count() == 2
    for tranche in paid_tranches:
        [disbursement] = tranche.disbursements.filter(status=Disbursement.Status.PAID)
        assert _logged(disbursement, "awards.disbursement.approve")
        assert _logged(disbursement, "awards.disbursement.paid")
        source_type, source_id = source_ref(disbursement)
        assert LedgerTransaction.objects.filter(
            kind=LedgerTransaction.Kind.DISBURSEMENT_PAID, source_type=source_type, source_id=source_id
        ).exists()

    # Last year's round happened last year, in the order a real fund works: submitted, decided, accepted, paid.
    year_ago = timezone.now() - timedelta(days=365)
    harm = Application.objects.filter(round__slug="2025-harm-reduction-grants")
    assert all(a.submitted_at < a.decided_at < year_ago for a in harm)
    submitted = Application.objects.filter(submitted_at__isnull=False).select_related("created_by")
    assert all(a.created_by.date_joined < a.created_at < a.submitted_at <= timezone.now() for a in submitted)
    for award in accepted:
        decided = award.application.review_decisions.get().decided_at
        assert award.application.submitted_at < decided < award.offered_at < award.accepted_at < year_ago
    for disbursement in Disbursement.objects.filter(status=Disbursement.Status.PAID):
        assert disbursement.tranche.award.accepted_at < disbursement.approved_at < disbursement.paid_at < year_ago
    assert ImpactReport.objects.filter(status=ImpactReport.Status.OVERDUE).count() == 1

    call_command("ledger_check")
    assert "Ledger check passed" in capsys.readouterr().out

    out = io.StringIO()
    call_command("seed_demo", "--quiet-logins", stdout=out)
    assert "Demo fund ready (nothing new)." in out.getvalue()
