"""Demo: Millbrook's neighbourhoods and the 12 community organisations (one asks not to be named publicly)."""

from decimal import Decimal

from django.contrib.auth.models import Group

from portal import roles
from portal.demo import SET_UP, at

from .models import Membership, Neighbourhood, Organisation

NEIGHBOURHOODS = [
    "Northside",
    "Riverside",
    "Eastbank",
    "Old Mill",
    "Harbor Point",
    "Southgate",
    "Cedar Hill",
    "Union Square",
]

# slug, legal name, operating name, type, registration number / fiscal sponsor, neighbourhood, served, budget, staff,
# peer-led, culturally specific, publicly named, communities served, mission
ORGANISATIONS = [
    (
        "northside-peer-drop-in",
        "Northside Peer Support Collective, Inc.",
        "Northside Peer Drop-in Centre",
        "nonprofit_corporation",
        "12-3456781",
        "northside",
        ["northside", "union-square"],
        "310000",
        9,
        True,
        False,
        True,
        "People who use drugs, people experiencing homelessness",
        "A peer-run drop-in offering coffee, showers, naloxone and someone who has been there.",
    ),
    (
        "riverside-outreach-van",
        "Riverside Mobile Outreach Collective",
        "",
        "registered_charity",
        "23-4567892",
        "riverside",
        ["riverside", "old-mill", "southgate"],
        "185000",
        5,
        True,
        False,
        True,
        "People using alone at night, sex workers",
        "A van, a kettle and harm-reduction supplies, out every night from 8pm.",
    ),
    (
        "familias-unidas",
        "Familias Unidas de Millbrook",
        "Familias Unidas",
        "nonprofit_corporation",
        "34-5678903",
        "eastbank",
        ["eastbank", "cedar-hill"],
        "140000",
        4,
        False,
        True,
        True,
        "Spanish-speaking families affected by overdose",
        "Support groups, grief circles and naloxone training in Spanish.",
    ),
    (
        "millbrook-drug-checking-coop",
        "Millbrook Community Drug Checking Cooperative",
        "",
        "nonprofit_corporation",
        "45-6789014",
        "northside",
        ["northside", "riverside", "union-square"],
        "220000",
        6,
        True,
        False,
        True,
        "People who use drugs",
        "Free, anonymous drug checking with FTIR and test strips; alerts when something new appears.",
    ),
    (
        "harbor-recovery-homes",
        "Harbor Point Recovery Homes",
        "",
        "registered_charity",
        "56-7890125",
        "harbor-point",
        ["harbor-point"],
        "980000",
        22,
        False,
        False,
        True,
        "People in recovery leaving treatment or prison",
        "Safe, affordable recovery housing with peer house managers.",
    ),
    (
        "youth-arts-old-mill",
        "Old Mill Youth Arts Project",
        "",
        "nonprofit_corporation",
        "67-8901236",
        "old-mill",
        ["old-mill", "southgate"],
        "95000",
        3,
        False,
        False,
        True,
        "Young people aged 14 to 24",
        "Murals, music and mentoring for young people who have lost someone to overdose.",
    ),
    (
        "cedar-hill-healing-circle",
        "Cedar Hill Indigenous Healing Circle",
        "",
        "tribal",
        "71-9012347",
        "cedar-hill",
        ["cedar-hill"],
        "120000",
        4,
        True,
        True,
        True,
        "Indigenous community members and families",
        "Culturally grounded healing circles, land-based gatherings and elder support.",
    ),
    (
        "southgate-food-pantry",
        "Southgate Community Church Food Pantry",
        "",
        "faith_based",
        "81-0123458",
        "southgate",
        ["southgate", "harbor-point"],
        "60000",
        2,
        False,
        False,
        True,
        "Families facing food insecurity",
        "A weekly pantry that now also hands out naloxone and fentanyl test strips.",
    ),
    (
        "eastbank-clean-streets",
        "Eastbank Clean Streets Neighbours",
        "",
        "unincorporated",
        "",
        "eastbank",
        ["eastbank"],
        "8000",
        0,
        True,
        False,
        True,
        "Neighbours of Eastbank",
        "Volunteers picking up used syringes and running sharps drop boxes.",
    ),
    (
        "harbor-lending-library",
        "Harbor Point Harm Reduction Lending Library",
        "",
        "nonprofit_corporation",
        "90-1234569",
        "harbor-point",
        ["harbor-point", "riverside"],
        "45000",
        2,
        True,
        False,
        True,
        "Anyone who wants to learn",
        "Books, zines and harm-reduction kits to borrow or keep.",
    ),
    (
        "naloxone-training-collective",
        "Union Square Naloxone Training Collective",
        "",
        "nonprofit_corporation",
        "01-2345670",
        "union-square",
        ["union-square", "northside", "eastbank"],
        "70000",
        3,
        True,
        False,
        False,
        "Bar and restaurant workers, shelters, families",
        "Free naloxone trainings in workplaces, bars and shelters.",
    ),
    (
        "second-chance-reentry",
        "Second Chance Reentry Network",
        "",
        "registered_charity",
        "11-2233445",
        "southgate",
        ["southgate", "union-square"],
        "410000",
        8,
        True,
        False,
        True,
        "People returning home from prison",
        "Peer mentors meet people at the gate with naloxone, a phone and a plan.",
    ),
]
# Which demo users belong to which organisations (the applicant owns two; the colleague is a member of one).
MEMBERSHIPS = [
    ("applicant", "northside-peer-drop-in", Membership.Role.OWNER),
    ("applicant", "harbor-lending-library", Membership.Role.OWNER),
    ("colleague", "northside-peer-drop-in", Membership.Role.MEMBER),
]


def _slug(name):
    return name.lower().replace(" ", "-")


def seed(ctx):
    """The organisations and their members, registered when the fund was set up."""
    with at(ctx, SET_UP):
        _seed(ctx)


def _seed(ctx):
    hoods = {}
    for name in NEIGHBOURHOODS:
        hood, created = Neighbourhood.objects.get_or_create(slug=_slug(name), defaults={"name": name})
        ctx.note("neighbourhoods", created)
        hoods[hood.slug] = hood
    ctx.objects["neighbourhoods"] = hoods

    organisations = {}
    for (
        slug,
        legal,
        operating,
        org_type,
        reg,
        hood,
        served,
        budget,
        staff,
        peer_led,
        cultural,
        public,
        communities,
        mission,
    ) in ORGANISATIONS:
        org, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "legal_name": legal,
                "operating_name": operating,
                "org_type": org_type,
                "country": "US",
                "registration_number": reg,
                "fiscal_sponsor_name": "Millbrook Community Foundation, Inc." if org_type == "unincorporated" else "",
                "address_line1": f"{10 + len(slug)} {hoods[hood].name} Avenue",
                "city": "Millbrook",
                "region": "PA",
                "postal_code": "19000",
                "neighbourhood": hoods[hood],
                "annual_budget": Decimal(budget),
                "staff_size": staff,
                "peer_led": peer_led,
                "culturally_specific": cultural,
                "publicly_named": public,
                "communities_served": communities,
                "mission": mission,
                "email": f"hello@{slug}.example",
            },
        )
        if created:
            org.service_areas.set([hoods[s] for s in served])
        ctx.note("organisations", created)
        organisations[slug] = org
    ctx.objects["organisations"] = organisations

    applicant_group = Group.objects.get(name=roles.APPLICANT)
    for user_key, org_slug, role in MEMBERSHIPS:
        user = ctx.users.get(user_key)
        if user is None:
            continue
        _m, created = Membership.objects.get_or_create(
            user=user, organisation=organisations[org_slug], defaults={"role": role}
        )
        ctx.note("memberships", created)
        user.groups.add(applicant_group)
