"""The demo fund's people. `manage.py seed_demo` runs this first, then each app's `demo.seed(ctx)` in order.

Deterministic (fixed seed, dates relative to today) and idempotent (get-or-create on natural keys; a section whose
round already exists is left alone). Every application, review, decision, award, payment and report is made by the
service the screen calls, with the clock moved to when it happened (`at`), so the demo holds only states the product
can reach. `seed_demo` refuses to run unless settings.DEMO_ALLOWED (development and test settings only).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from . import roles

DEMO_PASSWORD = "demo-password-2026"

# (key, email, first, last, roles, needs MFA, superuser)
DEMO_USERS = [
    ("admin", "admin@demo.millbrook-fund.example", "Alex", "Morgan", [], True),
    (
        "program_officer",
        "program@demo.millbrook-fund.example",
        "Priya",
        "Natarajan",
        [roles.PROGRAM_STAFF, roles.REVIEWER],
        False,
    ),
    ("finance_1", "finance1@demo.millbrook-fund.example", "Marcus", "Bell", [roles.FINANCE], False),
    ("finance_2", "finance2@demo.millbrook-fund.example", "Dana", "Kowalski", [roles.FINANCE], False),
    ("editor", "editor@demo.millbrook-fund.example", "Jordan", "Reyes", [roles.EDITOR], False),
    (
        "reviewer_community",
        "community.reviewer@demo.millbrook-fund.example",
        "Tasha",
        "Greene",
        [roles.REVIEWER],
        False,
    ),
    (
        "reviewer_staff",
        "staff.reviewer@demo.millbrook-fund.example",
        "Owen",
        "Park",
        [roles.REVIEWER, roles.PROGRAM_STAFF],
        False,
    ),
    ("reviewer_expert", "expert.reviewer@demo.millbrook-fund.example", "Dr. Helen", "Osei", [roles.REVIEWER], False),
    ("applicant", "applicant@demo.millbrook-fund.example", "Rosa", "Delgado", [roles.APPLICANT], False),
    ("colleague", "colleague@demo.millbrook-fund.example", "Sam", "Whitfield", [roles.APPLICANT], False),
    ("donor", "donor@demo.millbrook-fund.example", "Eleanor", "Hughes", [], False),
]
ROLE_DESCRIPTIONS = {
    "admin": "Administrator (superuser)",
    "program_officer": "Program officer (program staff, panel chair)",
    "finance_1": "Finance officer (prepares disbursements)",
    "finance_2": "Finance officer (approves disbursements)",
    "editor": "Editor (public site)",
    "reviewer_community": "Reviewer: community member with lived experience",
    "reviewer_staff": "Reviewer: staff",
    "reviewer_expert": "Reviewer: outside expert",
    "applicant": "Applicant: owns two organisations",
    "colleague": "Applicant: member of one organisation",
    "donor": "Donor (or log in by emailed code)",
}


@dataclass
class DemoContext:
    """Shared state for one seeding run. Apps put what later apps need into `objects`."""

    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    today: date = field(default_factory=timezone.localdate)
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    created: dict = field(default_factory=dict)

    def note(self, label, created):
        if created:
            self.created[label] = self.created.get(label, 0) + 1

    def rng_for(self, name: str) -> random.Random:
        """A separate, stable random stream per section, so adding data in one app never shifts another's."""
        return random.Random(f"2026:{name}")


SET_UP = -760  # days from today: the fund, its people and its grantees' organisations are set up


def moment(ctx: DemoContext, days: int, hour: int = 10) -> datetime:
    """An aware datetime `days` from the demo's today (negative: in the past), at `hour` local time."""
    return timezone.make_aware(datetime.combine(ctx.today + timedelta(days=days), time(hour, 0)))


def at(ctx: DemoContext, days: int, hour: int = 10):
    """Move the clock to `moment(ctx, days, hour)` (frozen) for what happens inside the `with` block: the demo's past is
    made by the same services as the present, at the time it happened."""
    return time_machine.travel(moment(ctx, days, hour), tick=False)


def seed(ctx: DemoContext):
    """The demo's people, as they joined when the fund was set up (before its first round opened)."""
    with at(ctx, SET_UP):
        _seed_users(ctx)


def _seed_users(ctx: DemoContext):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    User = get_user_model()
    for key, email, first, last, role_names, superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "is_superuser": superuser, "is_staff": superuser},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        ctx.note("users", created)
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        for role in role_names:
            user.groups.add(Group.objects.get(name=role))
        if (
            roles.requires_mfa(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            # A TOTP authenticator with a random secret: in development the documented demo code passes it.
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            TOTP.activate(user, generate_totp_secret())
        ctx.users[key] = user


def login_table() -> str:
    code = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
    lines = ["", "Demo logins (development only). Password for all: " + DEMO_PASSWORD]
    if code:
        lines.append(
            f"Staff, finance and reviewers are asked for a two-factor code: use {code} (works only with DEBUG on)."
        )
    lines.append("")
    width = max(len(email) for _k, email, *_ in DEMO_USERS)
    for key, email, *_rest in DEMO_USERS:
        lines.append(f"  {email.ljust(width)}  {ROLE_DESCRIPTIONS[key]}")
    lines.append("")
    return "\n".join(lines)
