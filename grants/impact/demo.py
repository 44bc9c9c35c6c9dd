"""Demo: two years of quarterly impact reports for the 2025 Harm Reduction awards.

Each accepted award got its quarterly reports from the round's reporting plan when it was accepted (over its two-year
grant period). Reports past their due date are approved (with a realistic upward trend per metric and a neighbourhood
breakdown of kits), except the latest one of a grant still running, which shows the review queue (a few submitted, one
sent back for changes, exactly one overdue, holding that grantee's next payment); the rest are not due yet. A grant
that has ended has every report approved. Consented stories go with some approved reports (one story is not for
publication). Deterministic (ctx.rng_for("impact")) and idempotent (an award whose reports were filled in is left alone).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from .catalogue import seed_metrics
from .models import ImpactReport, Metric, MetricValue, RoundMetric, RoundReportQuestion, Story
from .schedule import report_requirements_from_plan

S = ImpactReport.Status
REQUIRED = {"naloxone-kits-distributed", "people-reached"}
# key -> (base range per quarter, growth per quarter)
LEVELS = {
    "naloxone-kits-distributed": ((120, 420), Decimal("0.07")),
    "overdose-reversals-reported": ((4, 22), Decimal("0.05")),
    "people-reached": ((180, 650), Decimal("0.06")),
    "referrals-to-treatment": ((8, 40), Decimal("0.05")),
    "drug-checking-samples-tested": ((30, 160), Decimal("0.09")),
    "peer-workers-employed": ((2, 6), Decimal("0.04")),
    "trainings-delivered": ((3, 14), Decimal("0.03")),
}
QUESTIONS = [
    ("highlights", "What went well this quarter?", True),
    ("challenges", "What got in the way, and what support would help?", False),
]
STORIES = [
    (
        "A kit in every coat pocket",
        "Volunteers handed out naloxone at the winter shelter's door. Two weeks later a guest "
        "used one to reverse an overdose in the car park before the ambulance arrived.",
    ),
    (
        "Testing before using",
        "Word spread that the drop-in could check samples in ten minutes. By the end of the quarter "
        "people were bringing friends, and two batches with nitazenes were flagged before they reached the street.",
    ),
    (
        "From guest to peer worker",
        "Someone who first came for coffee and clean supplies now runs the Tuesday evening "
        "outreach shift and trains new volunteers in naloxone.",
    ),
    ("Open doors on Sundays", "Extending hours to Sundays meant the van met people where the weekend services stop."),
    (
        "Family night",
        "Parents learned to recognise an overdose and left with kits and a phone number to call at any hour.",
    ),
]
NARRATIVE = (
    "<p>We kept outreach running every week this quarter. {highlight}</p>"
    "<ul><li>More people came back for a second visit.</li><li>Our volunteers completed refresher training.</li></ul>"
)
HIGHLIGHTS = [
    "Demand for naloxone grew again.",
    "The new evening shift reached people we had not seen before.",
    "Partners referred more people to us.",
    "We opened a second site for part of the week.",
]


def _aware(day: date):
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _round_setup(round_):
    metrics = list(Metric.objects.filter(key__in=LEVELS).order_by("order"))
    for order, metric in enumerate(metrics):
        RoundMetric.objects.get_or_create(
            round=round_, metric=metric, defaults={"order": order, "required": metric.key in REQUIRED}
        )
    for order, (key, text, required) in enumerate(QUESTIONS):
        RoundReportQuestion.objects.get_or_create(
            round=round_, key=key, defaults={"text": text, "required": required, "order": order}
        )
    return metrics


def _held_award(ctx, awards):
    """The award whose overdue report holds a payment: the one paid on its reports, else the first."""
    return (ctx.objects.get("awards_2025_by_kind") or {}).get("accepted_report_tranches") or awards[0]


def _last_status(index, held):
    if held:
        return S.OVERDUE
    return {1: S.SUBMITTED, 2: S.SUBMITTED, 3: S.CHANGES_REQUESTED}.get(index, S.APPROVED)


def seed(ctx):
    from grants.awards.models import Award

    seed_metrics(Metric)
    round_ = (ctx.objects.get("rounds") or {}).get("harm_2025")
    awards = Award.objects.filter(status__in=[Award.Status.ACCEPTED, Award.Status.CLOSED])
    if round_ is not None:
        awards = awards.filter(round=round_)
    awards = list(awards.select_related("organisation__neighbourhood", "round").order_by("pk"))
    if not awards:
        return
    metrics = _round_setup(round_ or awards[0].round)
    rng = ctx.rng_for("impact")
    staff = ctx.users.get("program_officer")
    hoods = list((ctx.objects.get("neighbourhoods") or {}).values())
    held = _held_award(ctx, awards)
    story_index = 0
    for index, award in enumerate(awards):
        base = {m.key: Decimal(rng.randint(*LEVELS[m.key][0])) for m in metrics}
        does_checking = rng.random() < 0.5
        report_requirements_from_plan(award=award, by=staff)  # made at acceptance; this only fills any gap
        if award.impact_reports.exclude(status=S.DUE).exists():
            continue  # seeded before
        reports = list(award.impact_reports.select_related("requirement").order_by("number"))
        past = [r for r in reports if r.due_date < ctx.today]
        grant_ended = len(past) == len(reports)
        last_past = past[-1].number if past and not grant_ended else None
        for _report in reports:
            ctx.note("impact reports", True)
        member = award.organisation.memberships.select_related("user").order_by("pk").first()
        values = []
        for report in reports:
            if report.due_date >= ctx.today:
                report.status = S.DRAFT if index == 0 else S.DUE
                report.save(update_fields=["status"])
                continue
            status = _last_status(index, award == held) if report.number == last_past else S.APPROVED
            quarter = report.number - 1
            for metric in metrics:
                level, growth = base[metric.key], LEVELS[metric.key][1]
                if metric.key == "drug-checking-samples-tested" and not does_checking:
                    continue
                if metric.key == "peer-workers-employed":
                    value = (level + Decimal(quarter // 3)).quantize(Decimal("1"))
                else:
                    noise = Decimal(rng.randint(-8, 8)) / 100
                    value = (level * (1 + growth * quarter + noise)).quantize(Decimal("1"))
                values.append(MetricValue(report=report, metric=metric, value=max(value, Decimal(0))))
                if metric.key == "naloxone-kits-distributed" and len(hoods) > 1:
                    home = award.organisation.neighbourhood or hoods[0]
                    other = hoods[(hoods.index(home) + 1) % len(hoods)] if home in hoods else hoods[1]
                    share = (value * Decimal("0.6")).quantize(Decimal("1"))
                    values.append(MetricValue(report=report, metric=metric, neighbourhood=home, value=share))
                    values.append(MetricValue(report=report, metric=metric, neighbourhood=other, value=value - share))
            if status == S.OVERDUE:
                values = [v for v in values if v.report_id != report.pk]  # nothing handed in
                report.status = S.OVERDUE
                report.save(update_fields=["status"])
                continue
            report.status = status
            report.narrative = NARRATIVE.format(highlight=HIGHLIGHTS[(index + quarter) % len(HIGHLIGHTS)])
            report.answers = {"highlights": HIGHLIGHTS[(index + quarter + 1) % len(HIGHLIGHTS)]}
            report.submitted_at = _aware(report.due_date - timedelta(days=rng.randint(1, 12)))
            report.submitted_by = member.user if member else None
            fields = ["status", "narrative", "answers", "submitted_at", "submitted_by"]
            if status in (S.APPROVED, S.CHANGES_REQUESTED):
                report.reviewed_at = report.submitted_at + timedelta(days=rng.randint(2, 9))
                report.reviewed_by = staff
                fields += ["reviewed_at", "reviewed_by"]
            if status == S.CHANGES_REQUESTED:
                report.review_comment = (
                    "Please add the number of trainings delivered and split the kits by neighbourhood."
                )
                fields.append("review_comment")
            report.save(update_fields=fields)
            if status == S.APPROVED and quarter in (2, 5) and story_index < len(STORIES) * 2:
                title, text = STORIES[story_index % len(STORIES)]
                Story.objects.create(
                    report=report,
                    title=title,
                    text=text,
                    consent_to_publish=story_index != 3,
                    created_by=member.user if member else None,
                    created_at=report.submitted_at,
                )
                story_index += 1
        MetricValue.objects.bulk_create(values)
    ctx.objects["impact_held_award"] = held
