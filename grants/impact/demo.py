"""Demo: two years of quarterly impact reports for the 2025 Harm Reduction awards, filed as the quarters passed.

Each accepted award got its quarterly reports from the round's reporting plan when it was accepted. Reports past their
due date were filled in and submitted by the grantee before the due date and approved by staff (with a realistic upward
trend per metric and a neighbourhood breakdown of kits), except the latest one of a grant still running, which shows
the review queue (one sent back for changes, one submitted, and exactly one never handed in: the nightly job marks it overdue and it holds that
grantee's next payment); the rest are not due yet (the applicant's next one is started). A grant that has ended has
every report approved, which closed it. Consented stories go with some approved reports (one is not for publication).
Everything goes through the impact services with the clock moved (portal.demo.at). Deterministic (ctx.rng_for("impact"))
and idempotent (a round whose reports were filled in is left alone).
"""

from decimal import Decimal

from grants.demo_people import organisation_owner
from portal.demo import at

from .catalogue import seed_metrics
from .models import ImpactReport, Metric, RoundMetric, RoundReportQuestion
from .services import (
    impact_report_approve,
    impact_report_request_changes,
    impact_report_save,
    impact_report_submit,
    reports_mark_overdue,
    story_add,
)

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


def reporting_plan_setup(round_):
    """The round's reporting plan as staff set it in the admin (metrics asked, report questions): every award of the
    round gets its report schedule from it when the grantee accepts."""
    seed_metrics(Metric)
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
    return {0: S.CHANGES_REQUESTED, 1: S.SUBMITTED, 2: S.SUBMITTED}.get(index, S.APPROVED)


def _figures(ctx, award, report, metrics, base, does_checking, rng):
    """The figures a grantee types for one quarter: a realistic upward trend, and naloxone kits by neighbourhood."""
    values, breakdown = {}, {}
    hoods = list((ctx.objects.get("neighbourhoods") or {}).values())
    quarter = report.number - 1
    for metric in metrics:
        if metric.key == "drug-checking-samples-tested" and not does_checking:
            continue
        level, growth = base[metric.key], LEVELS[metric.key][1]
        if metric.key == "peer-workers-employed":
            value = (level + Decimal(quarter // 3)).quantize(Decimal("1"))
        else:
            noise = Decimal(rng.randint(-8, 8)) / 100
            value = max((level * (1 + growth * quarter + noise)).quantize(Decimal("1")), Decimal(0))
        values[metric.pk] = str(value)
        if metric.key == "naloxone-kits-distributed" and len(hoods) > 1:
            home = award.organisation.neighbourhood or hoods[0]
            other = hoods[(hoods.index(home) + 1) % len(hoods)] if home in hoods else hoods[1]
            share = (value * Decimal("0.6")).quantize(Decimal("1"))
            breakdown[metric.pk] = {home.pk: str(share), other.pk: str(value - share)}
    return values, breakdown


def seed(ctx):
    """Each grantee files its reports as the quarters pass and program staff review them, through the services the
    screens call (approving a report releases the tranches waiting on it and closes a finished award); then the
    nightly job marks what is past due and not handed in as overdue."""
    from grants.awards.models import Award

    round_ = (ctx.objects.get("rounds") or {}).get("harm_2025")
    if round_ is None:
        return
    if ImpactReport.objects.filter(award__round=round_, submitted_at__isnull=False).exists():
        return  # seeded before
    awards = list(
        Award.objects.filter(round=round_, status__in=[Award.Status.ACCEPTED, Award.Status.CLOSED])
        .select_related("organisation__neighbourhood", "round")
        .order_by("pk")
    )
    if not awards:
        return
    metrics = list(Metric.objects.filter(key__in=LEVELS).order_by("order"))
    rng = ctx.rng_for("impact")
    staff = ctx.users["program_officer"]
    held = _held_award(ctx, awards)
    story_index = 0
    for index, award in enumerate(awards):
        base = {m.key: Decimal(rng.randint(*LEVELS[m.key][0])) for m in metrics}
        does_checking = rng.random() < 0.5
        reports = list(award.impact_reports.select_related("requirement").order_by("number"))
        past = [r for r in reports if r.due_date < ctx.today]
        grant_ended = len(past) == len(reports)
        last_past = past[-1].number if past and not grant_ended else None
        member = organisation_owner(ctx, award.organisation)
        drafted = False
        for report in reports:
            days_to_due = (report.due_date - ctx.today).days
            if days_to_due >= 0:
                if index == 0 and not drafted:  # the applicant login finds its next report started
                    values, breakdown = _figures(ctx, award, report, metrics[:2], base, does_checking, rng)
                    with at(ctx, -1, 15):
                        impact_report_save(report=report, by=member, values=values, breakdown=breakdown)
                    drafted = True
                continue
            status = _last_status(index, award == held) if report.number == last_past else S.APPROVED
            if status == S.OVERDUE:
                continue  # nothing handed in
            quarter = report.number - 1
            submitted = days_to_due - rng.randint(1, 12)
            values, breakdown = _figures(ctx, award, report, metrics, base, does_checking, rng)
            with at(ctx, submitted, 14):
                impact_report_save(
                    report=report,
                    by=member,
                    values=values,
                    breakdown=breakdown,
                    narrative=NARRATIVE.format(highlight=HIGHLIGHTS[(index + quarter) % len(HIGHLIGHTS)]),
                    answers={"highlights": HIGHLIGHTS[(index + quarter + 1) % len(HIGHLIGHTS)]},
                )
                if status == S.APPROVED and quarter in (2, 5) and story_index < len(STORIES) * 2:
                    title, text = STORIES[story_index % len(STORIES)]
                    story_add(report=report, by=member, title=title, text=text, consent_to_publish=story_index != 3)
                    story_index += 1
                impact_report_submit(report=report, by=member)
            ctx.note("impact reports submitted", True)
            if status == S.SUBMITTED:
                continue
            with at(ctx, min(submitted + rng.randint(2, 9), 0), 11):
                if status == S.CHANGES_REQUESTED:
                    impact_report_request_changes(
                        report=report,
                        by=staff,
                        comment="Please add the number of trainings delivered and split the kits by neighbourhood.",
                    )
                else:
                    impact_report_approve(report=report, by=staff)
    with at(ctx, 0, 2):
        reports_mark_overdue()
    ctx.objects["impact_held_award"] = held
