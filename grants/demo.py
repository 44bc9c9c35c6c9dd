"""Demo: three funding rounds with their forms, and applications in every state, made as they happened.

- "2026 Community-Led Response Grants": open, closes in three weeks, multi-step form with a budget table.
- "Rapid Response Micro-grants": rolling, up to $5,000, short form.
- "2025 Harm Reduction Grants": opened two years ago; its applications went to the panel and were decided (9 approved,
  2 declined, 1 waitlisted) by grants.awards.demo.
Rounds, forms and eligibility questions are what staff type into the admin (direct writes); every application is
started, filled in, submitted, withdrawn and screened through the services the screens call, with the clock moved to
when it happened (portal.demo.at). Deterministic (ctx.rng_for) and idempotent (a round that exists is left alone).
"""

from decimal import Decimal

from django.utils import timezone

from portal.demo import at, moment

from . import selectors
from .demo_people import organisation_owner
from .demo_spanish import COMMUNITY_ELIGIBILITY_ES, COMMUNITY_FORM_ES
from .forms_application import budget_total
from .impact.demo import reporting_plan_setup
from .models import Application, EligibilityQuestion, FormQuestion, FundingRound
from .services import (
    application_mark_ineligible,
    application_move_to_review,
    application_request_more_info,
    application_save_draft,
    application_start,
    application_submit,
    application_withdraw,
    form_publish,
    message_post,
)

S = Application.Status


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
        "opens": -35,
        "closes": 21,
        "first_application": -33,
        "screening": -18,
        "form": COMMUNITY_FORM,
        "form_es": COMMUNITY_FORM_ES,
        "eligibility_es": COMMUNITY_ELIGIBILITY_ES,
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
        "opens": -200,
        "closes": None,
        "first_application": -12,
        "screening": -5,
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
        "opens": -720,
        "closes": -650,
        "first_application": -700,
        "screening": -645,
        "grant_months": 24,  # two-year grants, so two years of quarterly reports
        "form": HARM_2025_FORM,
        "eligibility": [
            ("Does your work serve people in Millbrook?", True, "this fund only supports work in Millbrook.")
        ],
    },
}

# (organisation slug, status, requested amount, title). Order is stable: it decides reference numbers and the day each
# application was started (one a day). An organisation has one live application per round, so an organisation's
# second application comes after it withdrew the first.
COMMUNITY_APPLICATIONS = [
    ("southgate-food-pantry", S.WITHDRAWN, "20000.00", "Mobile pantry van"),
    ("second-chance-reentry", S.WITHDRAWN, "30000.00", "Reentry phones"),
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
    ("eastbank-clean-streets", S.DECLINED, "5000.00", "Neighbourhood barbecue"),
    ("harbor-lending-library", S.DRAFT, "", "Lending library on wheels"),
]
RAPID_APPLICATIONS = [
    ("naloxone-training-collective", S.WITHDRAWN, "1500.00", "Training at the stadium"),
    ("millbrook-drug-checking-coop", S.SUBMITTED, "4500.00", "Test strips for a nitazene surge"),
    ("riverside-outreach-van", S.IN_REVIEW, "3000.00", "Van repair after a breakdown"),
    ("northside-peer-drop-in", S.DRAFT, "2500.00", "Winter coats and sleeping bags"),
]
# Every one went to the panel; the awards demo decides them (in this order, so the first nine are the approvals that
# grants.awards.demo.PLAN follows: 8 awards accepted or on offer, 1 declined by the grantee).
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


REASONS = {
    "request_more_info": "Please tell us how the evening hours will be staffed and add the cost of supervision to the budget.",
    "mark_ineligible": "This round funds responses to the overdose crisis; a neighbourhood social event is outside it.",
    "withdraw": "We found other funding for this.",
}


def _seed_applications(ctx, funding_round, spec, rng, *, first_day, screening_day):
    """Each application as its organisation made it (started one a day from `first_day`, submitted the next day) and
    as staff screened it on `screening_day`, all through the services the screens call. Returns
    [(application, the status the spec asks for)]: approvals, waitlisting and declines after review are decisions,
    made later by the awards demo."""
    organisations = ctx.objects["organisations"]
    staff = ctx.users["program_officer"]
    made = []
    for index, (org_slug, status, amount, title) in enumerate(spec):
        org = organisations[org_slug]
        owner = organisation_owner(ctx, org)
        day, hour = first_day + index, 9 + index % 8
        with at(ctx, day, hour):
            application = application_start(funding_round=funding_round, organisation=org, by=owner)
            version = selectors.published_form(funding_round)
            application_save_draft(
                application=application,
                by=owner,
                answers=_answers(rng, version, amount, org),
                basics={
                    "title": title,
                    "summary": f"{title}: {org.mission}" if title else "",
                    "requested_amount": amount or None,
                },
            )
        ctx.note("applications", True)
        made.append((application, status))
        if status == S.DRAFT:
            continue
        with at(ctx, day + 1, hour):
            application_submit(application=application, by=owner)
        if status == S.WITHDRAWN:
            with at(ctx, day + 2, hour):
                application_withdraw(application=application, by=owner, reason=REASONS["withdraw"])
            continue
        if status == S.SUBMITTED:
            continue
        with at(ctx, screening_day, 10 + index % 6):
            if status == S.MORE_INFO:
                application_request_more_info(application=application, by=staff, reason=REASONS["request_more_info"])
                message_post(
                    application=application,
                    by=staff,
                    internal=True,
                    body="Strong proposal; check supervision costs before review.",
                )
            elif status == S.DECLINED and funding_round.closes_at and funding_round.closes_at > timezone.now():
                application_mark_ineligible(application=application, by=staff, reason=REASONS["mark_ineligible"])
            else:
                application_move_to_review(application=application, by=staff)
        if status == S.IN_REVIEW and index % 3 == 0:
            with at(ctx, screening_day + 1, 11):
                message_post(
                    application=application, by=owner, body="Could we send a letter of support from our partners?"
                )
            with at(ctx, screening_day + 1, 16):
                message_post(
                    application=application,
                    by=staff,
                    body="Yes please, attach it as a message reply or email it to us.",
                )
    return made


def _round(ctx, key, spec):
    """The round as program staff set it up in the admin (a direct write: staff type it), its form published through
    `form_publish`, and its reporting plan's metrics and questions."""
    closes = moment(ctx, spec["closes"], 17) if spec["closes"] is not None else None
    with at(ctx, spec["opens"] - 2):
        funding_round, created = FundingRound.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "fund": ctx.objects["fund"],
                "title": spec["title"],
                "summary": spec["summary"],
                "reference_prefix": spec["prefix"],
                "budget": Decimal(spec["budget"]),
                "max_request": Decimal(spec["max"]),
                "min_request": Decimal(spec["min"]),
                "opens_at": moment(ctx, spec["opens"], 9),
                "closes_at": closes,
                "status": FundingRound.Status.OPEN,
                "reviews_per_application": 3,
                "review_deadline": moment(ctx, spec["closes"] + 28, 17) if spec["closes"] else None,
                "grant_months": spec.get("grant_months", 12),
            },
        )
        ctx.note("funding rounds", created)
        if not created:
            return funding_round, False
        translated_eligibility = spec.get("eligibility_es", [])
        for order, (text, answer, message) in enumerate(spec["eligibility"]):
            text_es, message_es = translated_eligibility[order] if order < len(translated_eligibility) else ("", "")
            EligibilityQuestion.objects.create(
                round=funding_round,
                text=text,
                sort_order=order,
                required_answer=answer,
                ineligible_message=message,
                text_es=text_es,
                ineligible_message_es=message_es,
            )
        for order, (qkey, kind, label, extra) in enumerate(spec["form"]):
            extra = {**extra, **spec.get("form_es", {}).get(qkey, {})}
            FormQuestion.objects.create(
                round=funding_round,
                key=qkey,
                sort_order=order,
                kind=kind,
                label=label,
                required=extra.pop("required", kind != "section"),
                **extra,
            )
        form_publish(funding_round=funding_round, by=ctx.users["program_officer"])
        reporting_plan_setup(funding_round)
    return funding_round, True


def seed(ctx):
    rounds, new = {}, {}
    for key, spec in ROUNDS.items():
        rounds[key], new[key] = _round(ctx, key, spec)
    ctx.objects["rounds"] = rounds

    specs = {"community_2026": COMMUNITY_APPLICATIONS, "rapid": RAPID_APPLICATIONS, "harm_2025": HARM_2025_APPLICATIONS}
    made = {}
    for key, spec in ROUNDS.items():
        if not new[key]:
            continue
        made[key] = _seed_applications(
            ctx,
            rounds[key],
            specs[key],
            ctx.rng_for(f"grants.{key}"),
            first_day=spec["first_application"],
            screening_day=spec["screening"],
        )
        if spec["closes"] is not None and spec["closes"] < 0:
            with at(
                ctx, spec["closes"], 18
            ):  # staff move the round to review in the admin once its deadline has passed
                rounds[key].status = FundingRound.Status.REVIEW
                rounds[key].save(update_fields=["status"])

    # For the review and awards demos: what the panel reviews and what the 2025 decisions will be.
    ctx.objects["applications_2025_outcomes"] = [
        (application, status) for application, status in made.get("harm_2025", []) if status != S.WITHDRAWN
    ]
    ctx.objects["applications_2026_in_review"] = list(
        Application.objects.filter(round=rounds["community_2026"], status=S.IN_REVIEW)
        .select_related("organisation")
        .order_by("reference")
    )


def budget_matches(application) -> bool:
    """Used by tests: the demo's budgets add up to what each application requests."""
    rows = application.answers.get("budget")
    return rows is None or application.requested_amount is None or budget_total(rows) == application.requested_amount
