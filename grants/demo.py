"""Demo: three funding rounds with their forms, and applications in every state.

- "2026 Community-Led Response Grants": open, closes in three weeks, multi-step form with a budget table.
- "Rapid Response Micro-grants": rolling, up to $5,000, short form.
- "2025 Harm Reduction Grants": closed and decided last year; 9 approved (8 become awards, 1 award is declined by the
  grantee after approval: see grants.awards.demo), some declined and waitlisted.
Deterministic (ctx.rng_for) and idempotent (get-or-create on round slug, and on round + organisation + title).
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from .forms_application import budget_total
from .models import (
    Application,
    ApplicationFormVersion,
    ApplicationMessage,
    ApplicationStatusChange,
    ApplicationSubmission,
    EligibilityQuestion,
    FormQuestion,
    FundingRound,
    ReferenceCounter,
)

S = Application.Status


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


COMMUNITY_FORM = [
    ("s_need", "section", "The need and your response", {}),
    ("need", "long_text", "What need will this project meet, and for whom?", {"word_limit": 250}),
    ("approach", "rich_text", "How will you meet it? What will you do, week by week?", {"word_limit": 400}),
    (
        "focus",
        "single_choice",
        "Main focus",
        {
            "choices": "Naloxone and overdose response\nDrug checking\nPeer support\nRecovery and housing\nFamilies and young people"
        },
    ),
    (
        "areas",
        "multiple_choice",
        "Neighbourhoods you will work in",
        {"choices": "Northside\nRiverside\nEastbank\nOld Mill\nHarbor Point\nSouthgate\nCedar Hill\nUnion Square"},
    ),
    ("peer_led", "yes_no", "Will people with lived experience lead or deliver the work?", {}),
    (
        "peer_support",
        "long_text",
        "How will peer workers be paid and supported?",
        {"word_limit": 150, "show_if_key": "peer_led", "show_if_value": "yes"},
    ),
    ("s_budget", "section", "Budget and timing", {}),
    (
        "budget",
        "budget",
        "Budget",
        {"help_text": "List what the grant will pay for. The total must equal the amount you request."},
    ),
    ("other_funding", "money", "Other funding for this project (if any)", {"required": False}),
    ("start_date", "date", "When will the project start?", {}),
    ("people_reached", "number", "About how many people will the project reach?", {}),
    ("s_files", "section", "Supporting documents", {}),
    ("workplan", "file", "Work plan or timeline (optional)", {"required": False}),
    ("accounts", "file", "Latest accounts or budget (optional)", {"required": False}),
]
RAPID_FORM = [
    ("urgent_need", "long_text", "What is the urgent need?", {"word_limit": 150}),
    ("needed_by", "date", "When do you need the money?", {}),
    ("spend", "short_text", "What will you buy or pay for?", {}),
]
HARM_2025_FORM = [
    ("s_project", "section", "Your project", {}),
    ("need", "long_text", "What need will this project meet?", {"word_limit": 300}),
    ("approach", "rich_text", "How will you meet it?", {}),
    ("s_budget", "section", "Budget", {}),
    ("budget", "budget", "Budget", {}),
]

ROUNDS = {
    "community_2026": {
        "slug": "2026-community-led-response-grants",
        "title": "2026 Community-Led Response Grants",
        "prefix": "CRF",
        "summary": "Grants of up to $50,000 for community-led responses to the overdose crisis in Millbrook.",
        "budget": "500000.00",
        "max": "50000.00",
        "min": "5000.00",
        "status": FundingRound.Status.OPEN,
        "opens": -35,
        "closes": 21,
        "form": COMMUNITY_FORM,
        "eligibility": [
            ("Does your work serve people in Millbrook?", True, "this fund only supports work in Millbrook."),
            (
                "Is your group a nonprofit, charity, tribal organisation, or community group with a fiscal sponsor?",
                True,
                "we can only fund nonprofits, charities, tribal organisations and sponsored community groups.",
            ),
            ("Are you asking for $50,000 or less?", True, "this round funds up to $50,000 per organisation."),
        ],
    },
    "rapid": {
        "slug": "rapid-response-micro-grants",
        "title": "Rapid Response Micro-grants",
        "prefix": "RRM",
        "summary": "Up to $5,000, decided within two weeks, for urgent needs: a surge in overdoses, a closed service, a new drug.",
        "budget": "60000.00",
        "max": "5000.00",
        "min": "250.00",
        "status": FundingRound.Status.OPEN,
        "opens": -200,
        "closes": None,
        "form": RAPID_FORM,
        "eligibility": [("Does your group work in Millbrook?", True, "this fund only supports work in Millbrook.")],
    },
    "harm_2025": {
        "slug": "2025-harm-reduction-grants",
        "title": "2025 Harm Reduction Grants",
        "prefix": "HRG",
        "summary": "Our 2025 round for harm-reduction programmes. Decided; see who we funded.",
        "budget": "400000.00",
        "max": "50000.00",
        "min": "5000.00",
        "status": FundingRound.Status.DECIDED,
        "opens": -420,
        "closes": -360,
        "form": HARM_2025_FORM,
        "eligibility": [
            ("Does your work serve people in Millbrook?", True, "this fund only supports work in Millbrook.")
        ],
    },
}

# (organisation slug, status, requested amount, title). Order is stable: it decides reference numbers.
COMMUNITY_APPLICATIONS = [
    ("northside-peer-drop-in", S.MORE_INFO, "42000.00", "Evening peer drop-in hours"),
    ("riverside-outreach-van", S.IN_REVIEW, "48000.00", "Second outreach van for Old Mill"),
    ("familias-unidas", S.IN_REVIEW, "30000.00", "Naloxone training for Spanish-speaking families"),
    ("millbrook-drug-checking-coop", S.IN_REVIEW, "50000.00", "Drug checking at three new sites"),
    ("harbor-recovery-homes", S.IN_REVIEW, "45000.00", "Peer house managers for two homes"),
    ("youth-arts-old-mill", S.IN_REVIEW, "18000.00", "Murals of remembrance"),
    ("cedar-hill-healing-circle", S.IN_REVIEW, "36000.00", "Land-based healing gatherings"),
    ("naloxone-training-collective", S.IN_REVIEW, "25000.00", "Naloxone in every bar on Union Square"),
    ("second-chance-reentry", S.IN_REVIEW, "47500.00", "Met at the gate: peer reentry mentors"),
    ("southgate-food-pantry", S.SUBMITTED, "12000.00", "Naloxone at the pantry"),
    ("eastbank-clean-streets", S.SUBMITTED, "8000.00", "Sharps drop boxes for Eastbank"),
    ("harbor-lending-library", S.SUBMITTED, "15000.00", "Harm-reduction zines in four languages"),
    ("southgate-food-pantry", S.WITHDRAWN, "20000.00", "Mobile pantry van"),
    ("youth-arts-old-mill", S.DECLINED, "90000.00", "Youth centre building fund"),
    ("eastbank-clean-streets", S.DECLINED, "5000.00", "Neighbourhood barbecue"),
    ("second-chance-reentry", S.WITHDRAWN, "30000.00", "Reentry phones"),
    ("harbor-lending-library", S.DRAFT, "", "Lending library on wheels"),
    ("cedar-hill-healing-circle", S.DRAFT, "20000.00", "Elders' winter gathering"),
    ("riverside-outreach-van", S.DRAFT, "", ""),
    ("familias-unidas", S.DRAFT, "9000.00", "Grief circle for parents"),
]
RAPID_APPLICATIONS = [
    ("millbrook-drug-checking-coop", S.SUBMITTED, "4500.00", "Test strips for a nitazene surge"),
    ("riverside-outreach-van", S.IN_REVIEW, "3000.00", "Van repair after a breakdown"),
    ("northside-peer-drop-in", S.DRAFT, "2500.00", "Winter coats and sleeping bags"),
    ("naloxone-training-collective", S.WITHDRAWN, "1500.00", "Training at the stadium"),
]
# The first nine are approved (the awards demo makes 8 awards and 1 declined offer), then declined and waitlisted.
HARM_2025_APPLICATIONS = [
    ("northside-peer-drop-in", S.APPROVED, "45000.00", "Peer drop-in: weekends"),
    ("riverside-outreach-van", S.APPROVED, "40000.00", "Night outreach van"),
    ("familias-unidas", S.APPROVED, "25000.00", "Familias: grief and naloxone"),
    ("millbrook-drug-checking-coop", S.APPROVED, "50000.00", "Community drug checking"),
    ("cedar-hill-healing-circle", S.APPROVED, "30000.00", "Healing circles"),
    ("harbor-lending-library", S.APPROVED, "12000.00", "Lending library kits"),
    ("naloxone-training-collective", S.APPROVED, "20000.00", "Naloxone trainings in workplaces"),
    ("second-chance-reentry", S.APPROVED, "38000.00", "Reentry peer mentors"),
    ("harbor-recovery-homes", S.APPROVED, "35000.00", "Recovery house peer managers"),
    ("youth-arts-old-mill", S.DECLINED, "40000.00", "Youth arts summer school"),
    ("southgate-food-pantry", S.DECLINED, "15000.00", "Pantry refrigeration"),
    ("eastbank-clean-streets", S.WAITLISTED, "6000.00", "Sharps clean-up kits"),
]

TEXTS = [
    "People are dying alone at night in our neighbourhood, and the nearest service closes at five.",
    "Families tell us they do not know where to turn after an overdose, and many do not speak English.",
    "A new and stronger opioid has arrived and people need to know what is in their supply.",
    "Peer workers already do this work unpaid; a grant would let them be paid fairly and trained.",
]
APPROACHES = [
    "<p>We will open <strong>three evenings a week</strong>, staffed by two paid peer workers.</p><ul><li>Naloxone and training</li><li>Referrals</li></ul>",
    "<p>We will run monthly trainings and keep a stock of naloxone at every partner site.</p>",
]


def _form_questions(funding_round, spec):
    for order, (key, kind, label, extra) in enumerate(spec):
        extra = dict(extra)
        FormQuestion.objects.get_or_create(
            round=funding_round,
            key=key,
            defaults={
                "sort_order": order,
                "kind": kind,
                "label": label,
                "required": extra.pop("required", kind != "section"),
                **extra,
            },
        )
    definition = [q.as_definition() for q in funding_round.form_questions.order_by("sort_order", "pk")]
    version, _created = ApplicationFormVersion.objects.get_or_create(
        round=funding_round, number=1, defaults={"definition": definition}
    )
    return version


def _answers(rng, version, amount, org):
    answers = {}
    amount = Decimal(amount) if amount else None
    for q in version.definition:
        kind, key = q["kind"], q["key"]
        if kind == "long_text":
            answers[key] = rng.choice(TEXTS)
        elif kind == "rich_text":
            answers[key] = rng.choice(APPROACHES)
        elif kind == "short_text":
            answers[key] = "Naloxone kits, test strips and peer worker hours"
        elif kind == "single_choice":
            answers[key] = rng.choice(q["choices"])
        elif kind == "multiple_choice":
            answers[key] = [org.neighbourhood.name] if org.neighbourhood else q["choices"][:1]
        elif kind == "yes_no":
            answers[key] = "yes" if org.peer_led else "no"
        elif kind == "number":
            answers[key] = str(rng.randint(40, 900))
        elif kind == "money":
            answers[key] = "0.00"
        elif kind == "date":
            answers[key] = "2027-01-15"
        elif kind == "budget" and amount:
            staff = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
            answers[key] = [
                {"category": "Staff", "description": "Peer worker hours", "amount": str(staff)},
                {"category": "Supplies", "description": "Naloxone, test strips, food", "amount": str(amount - staff)},
            ]
    if (
        "peer_led" in answers
        and answers["peer_led"] == "yes"
        and any(q["key"] == "peer_support" for q in version.definition)
    ):
        answers["peer_support"] = "Peer workers are paid $24 an hour, with weekly supervision and paid training."
    return answers


PATHS = {
    S.SUBMITTED: [("submit", S.DRAFT, S.SUBMITTED)],
    S.MORE_INFO: [("submit", S.DRAFT, S.SUBMITTED), ("request_more_info", S.SUBMITTED, S.MORE_INFO)],
    S.IN_REVIEW: [("submit", S.DRAFT, S.SUBMITTED), ("move_to_review", S.SUBMITTED, S.IN_REVIEW)],
    S.WITHDRAWN: [("submit", S.DRAFT, S.SUBMITTED), ("withdraw", S.SUBMITTED, S.WITHDRAWN)],
    S.APPROVED: [
        ("submit", S.DRAFT, S.SUBMITTED),
        ("move_to_review", S.SUBMITTED, S.IN_REVIEW),
        ("approve", S.IN_REVIEW, S.APPROVED),
    ],
    S.WAITLISTED: [
        ("submit", S.DRAFT, S.SUBMITTED),
        ("move_to_review", S.SUBMITTED, S.IN_REVIEW),
        ("waitlist", S.IN_REVIEW, S.WAITLISTED),
    ],
}
REASONS = {
    "request_more_info": "Please tell us how the evening hours will be staffed and add the cost of supervision to the budget.",
    "mark_ineligible": "This round does not fund buildings or capital projects.",
    "decline": "The panel scored other applications higher this year. We would welcome an application next round.",
    "withdraw": "We found other funding for this.",
}


def _seed_applications(ctx, funding_round, version, spec, submitted_base, rng):
    organisations = ctx.objects["organisations"]
    staff = ctx.users.get("program_officer")
    created_apps = []
    for index, (org_slug, status, amount, title) in enumerate(spec):
        org = organisations[org_slug]
        owner = org.memberships.order_by("pk").first()
        application, created = Application.objects.get_or_create(
            round=funding_round,
            organisation=org,
            title=title,
            defaults={
                "requested_amount": Decimal(amount) if amount else None,
                "status": S.DRAFT,
                "created_by": owner.user if owner else None,
                "summary": f"{title}: {org.mission}" if title else "",
                "answers": _answers(rng, version, amount, org),
                "form_snapshot": {"version": version.number, "questions": version.definition},
            },
        )
        ctx.note("applications", created)
        created_apps.append(application)
        if not created or status == S.DRAFT:
            continue
        # Draft ones that were declined at screening went submit → mark_ineligible; later decisions follow PATHS.
        path = PATHS.get(status) or (
            [("submit", S.DRAFT, S.SUBMITTED), ("mark_ineligible", S.SUBMITTED, S.DECLINED)]
            if funding_round.status == FundingRound.Status.OPEN
            else [
                ("submit", S.DRAFT, S.SUBMITTED),
                ("move_to_review", S.SUBMITTED, S.IN_REVIEW),
                ("decline", S.IN_REVIEW, S.DECLINED),
            ]
        )
        submitted_at = submitted_base + timedelta(hours=7 * index + rng.randint(0, 5))
        year = timezone.localtime(submitted_at).year
        counter, _ = ReferenceCounter.objects.get_or_create(prefix=funding_round.reference_prefix, year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        application.reference = f"{funding_round.reference_prefix}-{year}-{counter.last_number:04d}"
        application.status = status
        application.submitted_at = submitted_at
        application.organisation_snapshot = {
            "name": org.name,
            "legal_name": org.legal_name,
            "registration_number": org.registration_number,
            "fiscal_sponsor_name": org.fiscal_sponsor_name,
            "neighbourhood": org.neighbourhood.name if org.neighbourhood else "",
        }
        when = submitted_at
        for step, (action, source, target) in enumerate(path):
            when = submitted_at + timedelta(days=3 * step)
            actor = owner.user if owner and action in ("submit", "withdraw") else staff
            ApplicationStatusChange.objects.create(
                application=application,
                from_status=source,
                to_status=target,
                action=action,
                by=actor,
                reason=REASONS.get(action, ""),
                at=when,
            )
        if status in (S.APPROVED, S.DECLINED, S.WAITLISTED):
            application.decided_at = when
        application.save()
        ApplicationSubmission.objects.create(
            application=application,
            number=1,
            title=application.title,
            summary=application.summary,
            requested_amount=application.requested_amount,
            answers=application.answers,
            form_snapshot=application.form_snapshot,
            organisation_snapshot=application.organisation_snapshot,
            submitted_at=submitted_at,
            submitted_by=owner.user if owner else None,
        )
        if status == S.MORE_INFO:
            ApplicationMessage.objects.create(
                application=application,
                author=staff,
                from_staff=True,
                body=REASONS["request_more_info"],
                created_at=when,
            )
            ApplicationMessage.objects.create(
                application=application,
                author=staff,
                from_staff=True,
                internal=True,
                body="Strong proposal; check supervision costs before review.",
                created_at=when,
            )
        elif status == S.IN_REVIEW and index % 3 == 0 and owner:
            ApplicationMessage.objects.create(
                application=application,
                author=owner.user,
                body="Could we send a letter of support from our partners?",
                created_at=when,
            )
            ApplicationMessage.objects.create(
                application=application,
                author=staff,
                from_staff=True,
                body="Yes please, attach it as a message reply or email it to us.",
                created_at=when + timedelta(hours=5),
            )
    return created_apps


def seed(ctx):
    fund = ctx.objects["fund"]
    rounds = {}
    for key, spec in ROUNDS.items():
        closes = _at(ctx.today + timedelta(days=spec["closes"]), 17) if spec["closes"] is not None else None
        funding_round, created = FundingRound.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "fund": fund,
                "title": spec["title"],
                "summary": spec["summary"],
                "reference_prefix": spec["prefix"],
                "budget": Decimal(spec["budget"]),
                "max_request": Decimal(spec["max"]),
                "min_request": Decimal(spec["min"]),
                "opens_at": _at(ctx.today + timedelta(days=spec["opens"])),
                "closes_at": closes,
                "status": spec["status"],
                "reviews_per_application": 3,
                "review_deadline": _at(ctx.today + timedelta(days=(spec["closes"] or 0) + 28))
                if spec["closes"]
                else None,
            },
        )
        ctx.note("funding rounds", created)
        for order, (text, answer, message) in enumerate(spec["eligibility"]):
            EligibilityQuestion.objects.get_or_create(
                round=funding_round,
                text=text,
                defaults={"sort_order": order, "required_answer": answer, "ineligible_message": message},
            )
        rounds[key] = (funding_round, _form_questions(funding_round, spec["form"]))
    ctx.objects["rounds"] = {key: value[0] for key, value in rounds.items()}

    community, community_form = rounds["community_2026"]
    _seed_applications(
        ctx,
        community,
        community_form,
        COMMUNITY_APPLICATIONS,
        _at(ctx.today - timedelta(days=30)),
        ctx.rng_for("grants.community_2026"),
    )
    rapid, rapid_form = rounds["rapid"]
    _seed_applications(
        ctx, rapid, rapid_form, RAPID_APPLICATIONS, _at(ctx.today - timedelta(days=12)), ctx.rng_for("grants.rapid")
    )
    harm, harm_form = rounds["harm_2025"]
    harm_apps = _seed_applications(
        ctx,
        harm,
        harm_form,
        HARM_2025_APPLICATIONS,
        _at(ctx.today - timedelta(days=380)),
        ctx.rng_for("grants.harm_2025"),
    )

    ctx.objects["applications_2025_approved"] = [a for a in harm_apps if a.status == S.APPROVED][:9]
    ctx.objects["applications_2026_in_review"] = list(
        Application.objects.filter(round=community, status=S.IN_REVIEW)
        .select_related("organisation")
        .order_by("reference")
    )


def budget_matches(application) -> bool:
    """Used by tests: the demo's budgets add up to what each application requests."""
    rows = application.answers.get("budget")
    return rows is None or application.requested_amount is None or budget_total(rows) == application.requested_amount
