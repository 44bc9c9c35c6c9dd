"""Demo: the 2026 panel mid-way (half the reviews in, one conflict, one strong disagreement) and the 2025 round's
completed panel, at the time it met (portal.demo.at). Rubrics are what staff type into the admin; panels, assignments,
conflict declarations, reviews and feedback go through the review services. Runs after grants.demo; deterministic and
idempotent (a round that has its panel is left alone)."""

from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal import roles
from portal.demo import DEMO_PASSWORD, at

from .assignment import assignments_auto_assign
from .models import Assignment, Criterion, Panel, PanelMember, Review, Rubric
from .panels import panel_create, panel_member_invite, panel_update
from .rubrics import current_rubric
from .services import assignment_create, conflict_declare, review_feedback_approve, review_save

LABELS = {"1": "Weak", "2": "Fair", "3": "Good", "4": "Strong", "5": "Excellent"}
CRITERIA = [
    (
        "Community need and reach",
        "Is the need clear and well evidenced? Will the project reach people most at risk of overdose?",
        "3",
        False,
    ),
    (
        "Led by people with lived experience",
        "Are people who use drugs, or have, involved in leading and delivering the work, and paid for it?",
        "3",
        False,
    ),
    (
        "Harm-reduction approach",
        "Does the project meet people where they are, without conditions such as abstinence?",
        "2",
        False,
    ),
    (
        "Feasibility and plan",
        "Can the group deliver this in the time, with the people and partners it has?",
        "2",
        False,
    ),
    (
        "Budget and value",
        "Is the budget realistic and clearly linked to the activities? Mark n/a for in-kind-only requests.",
        "1",
        True,
    ),
]
# (email local part, first, last, kind)
EXTRA_MEMBERS = [
    ("panel.staff", "Gabriel", "Ferreira", PanelMember.Kind.STAFF),
    ("panel.community1", "Lena", "Marsh", PanelMember.Kind.COMMUNITY),
    ("panel.community2", "Andre", "Whitaker", PanelMember.Kind.COMMUNITY),
    ("panel.expert1", "Mei", "Lindqvist", PanelMember.Kind.EXTERNAL),
    ("panel.expert2", "Tomas", "Reyes-Olsen", PanelMember.Kind.EXTERNAL),
]


def _extra_user(key, first, last):
    email = f"{key}@demo.millbrook-fund.example"
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    user.groups.add(Group.objects.get(name=roles.REVIEWER))
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user, created


def _rubric(ctx, funding_round):
    rubric, created = Rubric.objects.get_or_create(
        round=funding_round,
        is_current=True,
        defaults={
            "title": f"{funding_round.title}: scoring guide",
            "introduction": "Score each criterion from 1 (weak) to 5 (excellent) using the guidance. Comments help the panel discuss.",
        },
    )
    ctx.note("rubrics", created)
    for order, (title, guidance, weight, allow_na) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            rubric=rubric,
            title=title,
            defaults={
                "guidance": guidance,
                "weight": Decimal(weight),
                "labels": LABELS,
                "allow_na": allow_na,
                "order": order,
            },
        )
    return rubric


def _panel(ctx, funding_round, name, members, *, chair, see_others, threshold="30"):
    """The panel as staff build it on the panel screen: created, its threshold set, each member invited."""
    panel = panel_create(round=funding_round, by=chair, name=name, reviewers_see_others_after_submit=see_others)
    panel = panel_update(panel=panel, by=chair, disagreement_threshold=Decimal(threshold))
    ctx.note("review panels", True)
    for user, kind in members:
        panel_member_invite(panel=panel, email=user.email, kind=kind, by=chair, is_chair=user == chair)
        ctx.note("panel members", True)
    return panel


def _scores(criteria, rng, level):
    """Scores around `level` (1–5); the budget criterion is n/a now and then."""
    result = {}
    for criterion in criteria:
        if criterion.allow_na and rng.random() < 0.15:
            result[criterion.pk] = {"na": True}
            continue
        score = min(5, max(1, level + rng.choice([-1, 0, 0, 1])))
        result[criterion.pk] = {"score": score, "comment": rng.choice(COMMENTS[score])}
    return result


COMMENTS = {
    1: ["Not enough detail to judge.", "This part of the plan is missing."],
    2: ["Some evidence, but thin.", "Unclear who will do the work."],
    3: ["Reasonable; would like more detail.", "Solid, with room to grow."],
    4: ["Clear and convincing.", "Good links with local services."],
    5: ["Outstanding: peers lead every step.", "Exactly what the neighbourhood needs."],
}
FEEDBACK = [
    "The peer-led model is a real strength. A clearer breakdown of staff costs would make the budget easier to follow.",
    "We would love to see how you will reach people who use alone; consider partnering with the drug-checking cooperative.",
]


def _submit(assignment, rng, level, *, recommendation=None, feedback=""):
    criteria = list(current_rubric(assignment.application.round).criteria.all())
    if recommendation is None:
        recommendation = "fund" if level >= 4 else "maybe" if level == 3 else "do_not_fund"
    return review_save(
        assignment=assignment,
        by=assignment.member.user,
        scores=_scores(criteria, rng, level),
        recommendation=recommendation,
        comment_to_staff="Happy to discuss at the panel meeting.",
        feedback_to_applicant=feedback,
        submit=True,
    )


def _seed_2026(ctx, funding_round, applications):
    if Panel.objects.filter(round=funding_round).exists():
        return None  # seeded before
    users = ctx.users
    members = [
        (users["program_officer"], PanelMember.Kind.STAFF),
        (users["reviewer_staff"], PanelMember.Kind.STAFF),
        (users["reviewer_community"], PanelMember.Kind.COMMUNITY),
        (users["reviewer_expert"], PanelMember.Kind.EXTERNAL),
    ]
    with at(ctx, -34):  # staff set up the panel and rubric as the round opened
        for key, first, last, kind in EXTRA_MEMBERS:
            user, created = _extra_user(key, first, last)
            ctx.note("users", created)
            members.append((user, kind))
        panel = _panel(
            ctx,
            funding_round,
            "2026 Community-Led Response panel",
            members,
            chair=users["program_officer"],
            see_others=False,
        )
        _rubric(ctx, funding_round)
    staff = users["program_officer"]
    if not applications:
        return panel
    with at(ctx, -17):  # the day after screening
        for _assignment in assignments_auto_assign(round=funding_round, by=staff, applications=applications):
            ctx.note("review assignments", True)
    rng = ctx.rng_for("review.2026")

    # One conflict: an outside expert once sat on the board of the second applicant.
    if len(applications) > 1:
        expert = PanelMember.objects.get(panel=panel, user__email="panel.expert1@demo.millbrook-fund.example")
        target = Assignment.objects.filter(application=applications[1], member=expert).first()
        with at(ctx, -16, 9):
            if target is None:
                target = assignment_create(application=applications[1], member=expert, by=staff)
        with at(ctx, -15, 19):
            conflict_declare(
                assignment=target,
                has_conflict=True,
                by=expert.user,
                reason="I was on this organisation's board until last year.",
            )

    # Strong disagreement on the first application: a community reviewer loves it, an expert does not.
    first = list(
        Assignment.objects.filter(application=applications[0])
        .exclude(status=Assignment.Status.RECUSED)
        .select_related("member__user", "application__round")
        .order_by("pk")
    )
    for slot, (assignment, level) in enumerate(zip(first, [5, 1, 3])):
        with at(ctx, -14 + 2 * slot, 20):
            conflict_declare(assignment=assignment, has_conflict=False, by=assignment.member.user)
            _submit(assignment, rng, level)

    # About half of the rest: submitted; a few drafts; the others not started. The demo reviewers get a mix.
    rest = (
        Assignment.objects.filter(application__in=applications[1:])
        .exclude(status=Assignment.Status.RECUSED)
        .select_related("member__user", "application__round")
        .order_by("application__reference", "pk")
    )
    for index, assignment in enumerate(rest):
        with at(ctx, -13 + index % 12, 9 + index % 10):
            if index % 2 == 0:
                conflict_declare(assignment=assignment, has_conflict=False, by=assignment.member.user)
                _submit(assignment, rng, rng.choice([2, 3, 3, 4, 4, 5]))
            elif index % 5 == 1:
                conflict_declare(assignment=assignment, has_conflict=False, by=assignment.member.user)
                criteria = list(current_rubric(assignment.application.round).criteria.all())[:2]
                review_save(
                    assignment=assignment,
                    by=assignment.member.user,
                    scores={c.pk: {"score": 4, "comment": "First read: promising."} for c in criteria},
                )
    return panel


def _seed_2025(ctx, funding_round, outcomes):
    """Last year's panel, at the time it met: assigned once screening was done, each reviewer declaring conflicts
    then scoring, feedback for the declined applicants approved by staff. The decisions come after (awards demo)."""
    if not outcomes or Panel.objects.filter(round=funding_round).exists():
        return None
    users = ctx.users
    staff = users["program_officer"]
    members = [
        (users["program_officer"], PanelMember.Kind.STAFF),
        (users["reviewer_staff"], PanelMember.Kind.STAFF),
        (users["reviewer_community"], PanelMember.Kind.COMMUNITY),
        (users["reviewer_expert"], PanelMember.Kind.EXTERNAL),
    ]
    with at(ctx, -660):  # staff set up the panel and rubric while the round was open
        panel = _panel(
            ctx, funding_round, "2025 Harm Reduction panel", members, chair=staff, see_others=True, threshold="40"
        )
        _rubric(ctx, funding_round)
    in_review = [(a, status) for a, status in outcomes if a.status == "in_review"]
    with at(ctx, -644):
        assignments_auto_assign(round=funding_round, by=staff, applications=[a for a, _status in in_review])
    rng = ctx.rng_for("review.2025")
    levels = {"approved": [4, 5, 4], "waitlisted": [3, 4, 3], "declined": [2, 3, 2]}
    for number, (application, status) in enumerate(in_review):
        assignments = (
            Assignment.objects.filter(application=application)
            .exclude(status=Assignment.Status.RECUSED)
            .select_related("member__user", "application__round")
            .order_by("pk")
        )
        for slot, assignment in enumerate(assignments):
            with at(ctx, -640 + slot * 3 + number % 3, 10 + number % 8):
                conflict_declare(assignment=assignment, has_conflict=False, by=assignment.member.user)
                feedback = FEEDBACK[slot % len(FEEDBACK)] if status == "declined" and slot < 2 else ""
                review = _submit(assignment, rng, levels[status][slot % 3], feedback=feedback)
            if feedback:
                with at(ctx, -626, 15):
                    review_feedback_approve(review=review, by=staff)
    return panel


def seed(ctx):
    rounds = ctx.objects.get("rounds") or {}
    panels = {}
    community = rounds.get("community_2026")
    if community is not None:
        panels["community_2026"] = _seed_2026(ctx, community, ctx.objects.get("applications_2026_in_review") or [])
    harm = rounds.get("harm_2025")
    if harm is not None:
        panels["harm_2025"] = _seed_2025(ctx, harm, ctx.objects.get("applications_2025_outcomes") or [])
    ctx.objects["panels"] = panels
    ctx.objects["reviews_submitted"] = Review.objects.filter(status=Review.Status.SUBMITTED).count()
