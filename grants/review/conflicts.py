"""Who may not review whom.

A panel member is conflicted with an organisation when
1. they declared a conflict with it (on any of its applications, in any round: conflicts follow the person), or
2. automatically: they are a member of the organisation, or their email address is on the organisation's email domain
   (the domain of its contact email, or a subdomain of it). Free-mail domains never make a conflict: thousands of
   strangers share gmail.com.

Automatic conflicts are computed from the current records each time (someone who joins an organisation tomorrow is
conflicted from tomorrow), never stored; the conflict register lists them beside the declarations.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from applicants.models import Membership, Organisation
from grants.models import Application

from .models import ConflictDeclaration, PanelMember

# The one list of free-mail domains. Lower case; a subdomain of one of these is free mail too.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "fastmail.com",
        "gmail.com",
        "gmx.com",
        "gmx.net",
        "googlemail.com",
        "hey.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "yahoo.ca",
        "yahoo.co.uk",
        "yahoo.com",
        "ymail.com",
        "zoho.com",
    }
)

MEMBER = "member"
DOMAIN = "domain"
DECLARED = "declared"


def email_domain(email) -> str:
    """The lower-case domain of an email address, or "" when there is none."""
    _local, at, domain = (email or "").strip().lower().rpartition("@")
    return domain.strip(".") if at else ""


def _suffixes(domain):
    """example.org for mail.example.org, and the domain itself: every domain it belongs to (at least two labels)."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_free_mail(domain) -> bool:
    return any(suffix in FREE_MAIL_DOMAINS for suffix in _suffixes(domain))


def organisation_domain(email) -> str:
    """The domain that identifies an organisation's people, from its contact email; "" for free mail or none."""
    domain = email_domain(email)
    return "" if not domain or is_free_mail(domain) else domain


@dataclass(frozen=True)
class Conflict:
    kind: str  # MEMBER, DOMAIN or DECLARED
    detail: str = ""  # the shared domain, or the declared reason

    @property
    def reason(self) -> str:
        if self.kind == MEMBER:
            return str(_("Member of the organisation"))
        if self.kind == DOMAIN:
            return str(_("Shares the organisation's email domain (%(domain)s)") % {"domain": self.detail})
        return str(_("Declared a conflict of interest: %(reason)s") % {"reason": self.detail})

    @property
    def is_automatic(self) -> bool:
        return self.kind != DECLARED


def automatic_conflicts(*, users, organisation_ids) -> dict:
    """{(user_id, organisation_id): Conflict} for every automatic conflict between `users` ({user_id: email}) and the
    organisations. Two queries, whatever the numbers."""
    users = dict(users)
    organisation_ids = set(organisation_ids)
    if not users or not organisation_ids:
        return {}
    found = {}
    orgs_by_domain = defaultdict(set)
    for org_id, email in Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "email"):
        domain = organisation_domain(email)
        if domain:
            orgs_by_domain[domain].add(org_id)
    for user_id, email in users.items():
        domain = email_domain(email)
        if not domain or is_free_mail(domain):
            continue
        for suffix in _suffixes(domain):
            for org_id in orgs_by_domain.get(suffix, ()):
                found[(user_id, org_id)] = Conflict(DOMAIN, suffix)
    memberships = Membership.objects.filter(user_id__in=users, organisation_id__in=organisation_ids)
    for user_id, org_id in memberships.values_list("user_id", "organisation_id"):
        found[(user_id, org_id)] = Conflict(MEMBER)
    return found


def declared_conflicts(*, user_ids, organisation_ids=None) -> dict:
    """{(user_id, organisation_id): Conflict} for conflicts these people declared, in any round."""
    rows = ConflictDeclaration.objects.filter(has_conflict=True, member__user_id__in=set(user_ids))
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=set(organisation_ids))
    return {
        (user_id, org_id): Conflict(DECLARED, reason)
        for user_id, org_id, reason in rows.order_by("declared_at").values_list(
            "member__user_id", "organisation_id", "reason"
        )
    }


def member_conflict(*, member, organisation_id) -> Conflict | None:
    """Why this panel member may not review this organisation, or None."""
    key = (member.user_id, organisation_id)
    declared = declared_conflicts(user_ids=[member.user_id], organisation_ids=[organisation_id])
    if key in declared:
        return declared[key]
    automatic = automatic_conflicts(users={member.user_id: member.user.email}, organisation_ids=[organisation_id])
    return automatic.get(key)


def conflicted_pairs(panel, *, organisation_ids) -> set:
    """(member_id, organisation_id) for every conflict, declared or automatic, of the panel's active members with
    these organisations: what automatic assignment must avoid."""
    members = list(
        PanelMember.objects.filter(panel=panel, removed_at__isnull=True).values_list("pk", "user_id", "user__email")
    )
    member_of_user = defaultdict(list)
    for member_id, user_id, _email in members:
        member_of_user[user_id].append(member_id)
    users = {user_id: email for _member_id, user_id, email in members}
    pairs = set(declared_conflicts(user_ids=users, organisation_ids=organisation_ids))
    pairs |= set(automatic_conflicts(users=users, organisation_ids=organisation_ids))
    return {(member_id, org_id) for user_id, org_id in pairs for member_id in member_of_user[user_id]}


@dataclass(frozen=True)
class RegisterRow:
    round: object
    member: PanelMember
    organisation: Organisation
    conflict: Conflict


def automatic_conflict_register(*, round=None) -> list[RegisterRow]:
    """Every automatic conflict between a panel's active members and the organisations that applied to its round
    (drafts aside), for one round or all. Five queries, whatever the numbers."""
    members = PanelMember.objects.filter(removed_at__isnull=True).select_related("user", "panel__round")
    applications = Application.objects.exclude(status=Application.Status.DRAFT).filter(round__panel__isnull=False)
    if round is not None:
        members = members.filter(panel__round=round)
        applications = applications.filter(round=round)
    members = list(members)
    orgs_by_round = defaultdict(set)
    for round_id, org_id in applications.values_list("round_id", "organisation_id").distinct():
        orgs_by_round[round_id].add(org_id)
    all_orgs = set().union(*orgs_by_round.values()) if orgs_by_round else set()
    found = automatic_conflicts(users={m.user_id: m.user.email for m in members}, organisation_ids=all_orgs)
    if not found:
        return []
    organisations = Organisation.objects.in_bulk({org_id for _user_id, org_id in found})
    rows = []
    for member in members:
        round_id = member.panel.round_id
        for org_id in orgs_by_round.get(round_id, ()):
            conflict = found.get((member.user_id, org_id))
            if conflict is not None:
                rows.append(RegisterRow(member.panel.round, member, organisations[org_id], conflict))
    rows.sort(key=lambda r: (r.round.title, r.member.user.display_name.lower(), r.organisation.name.lower()))
    return rows
