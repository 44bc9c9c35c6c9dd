"""Who reviews what. `plan_assignments` is a pure, deterministic planner; the services at the bottom apply it.

Rules, in order of importance:
1. never a conflicted member (a declared conflict with the organisation, on any of its applications; or automatic:
   a member of the organisation or on its email domain, see conflicts.py), nor a member already on the application
   (including one who recused), nor a member removed from the panel;
2. each application gets N active reviewers (as many as the eligible members allow);
3. at least one community reviewer per application when the panel has community members;
4. loads (active assignments per member) differ by at most one where the conflicts allow it;
5. kinds are mixed: a member of a kind the application already has is chosen last.
Ties are broken by member id, applications are taken in id order: the same input always gives the same plan.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants.models import Application
from portal.audit import audit

from . import notifications
from .conflicts import conflicted_pairs
from .models import Assignment, Panel
from .results import scores_ensure

COMMUNITY = "community"


@dataclass(frozen=True)
class MemberSlot:
    id: int
    kind: str


@dataclass(frozen=True)
class ApplicationSlot:
    id: int
    organisation_id: int


def plan_assignments(*, applications, members, existing, conflicts, per_application, loads=None):
    """Return a list of (application_id, member_id) to add.

    existing: {application_id: {member_id: active(bool)}}: members already on each application (recused ones are inactive);
    conflicts: set of (member_id, organisation_id); loads: {member_id: active assignments} (defaults to counting `existing`).
    """
    members = sorted(members, key=lambda m: m.id)
    kind_of = {m.id: m.kind for m in members}
    has_community = any(m.kind == COMMUNITY for m in members)
    if loads is None:
        loads = defaultdict(int)
        for on_app in existing.values():
            for member_id, active in on_app.items():
                if active:
                    loads[member_id] += 1
    loads = defaultdict(int, {m.id: loads.get(m.id, 0) for m in members})
    applications = sorted(applications, key=lambda a: a.id)
    on_app = {a.id: dict(existing.get(a.id, {})) for a in applications}

    def eligible(app, member_id):
        return member_id not in on_app[app.id] and (member_id, app.organisation_id) not in conflicts

    def active_kinds(app):
        return {kind_of.get(mid) for mid, active in on_app[app.id].items() if active}

    plan = []
    for app in applications:
        needed = per_application - sum(1 for active in on_app[app.id].values() if active)
        for _slot in range(max(needed, 0)):
            kinds = active_kinds(app)
            want_community = has_community and COMMUNITY not in kinds
            candidates = [m for m in members if eligible(app, m.id)]
            if not candidates:
                break
            best = min(
                candidates,
                key=lambda m: (
                    0 if (not want_community or m.kind == COMMUNITY) else 1,
                    loads[m.id],
                    1 if m.kind in kinds else 0,
                    m.id,
                ),
            )
            plan.append((app.id, best.id))
            on_app[app.id][best.id] = True
            loads[best.id] += 1
    return _rebalance(plan, applications, members, on_app, conflicts, loads, has_community)


def _rebalance(plan, applications, members, on_app, conflicts, loads, has_community):
    """Move planned slots from the busiest to the least busy member while that keeps every rule. Deterministic."""
    kind_of = {m.id: m.kind for m in members}
    org_of = {a.id: a.organisation_id for a in applications}
    plan = list(plan)
    for _round in range(len(plan) + 1):
        busiest = max(members, key=lambda m: (loads[m.id], -m.id))
        idlest = min(members, key=lambda m: (loads[m.id], m.id))
        if loads[busiest.id] - loads[idlest.id] <= 1:
            break
        moved = False
        for index, (app_id, member_id) in enumerate(plan):
            if member_id != busiest.id or idlest.id in on_app[app_id] or (idlest.id, org_of[app_id]) in conflicts:
                continue
            if has_community and kind_of[busiest.id] == COMMUNITY and kind_of[idlest.id] != COMMUNITY:
                others = [
                    m
                    for m, active in on_app[app_id].items()
                    if active and m != busiest.id and kind_of.get(m) == COMMUNITY
                ]
                if not others:
                    continue
            plan[index] = (app_id, idlest.id)
            del on_app[app_id][busiest.id]
            on_app[app_id][idlest.id] = True
            loads[busiest.id] -= 1
            loads[idlest.id] += 1
            moved = True
            break
        if not moved:
            break
    return plan


def assignments_auto_assign(*, round, by, applications=None):
    """Give every application in review (or the given ones) its round's number of reviewers from the panel's active
    members, never a conflicted one (declared or automatic, see conflicts.py). Emails each reviewer who got new work.
    Returns the new assignments."""
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(round=round)
        if applications is None:
            applications = Application.objects.filter(round=round, status=Application.Status.IN_REVIEW)
        apps = [ApplicationSlot(a.id, a.organisation_id) for a in applications]
        members = [MemberSlot(m.id, m.kind) for m in panel.members.filter(removed_at__isnull=True)]
        existing = defaultdict(dict)
        loads = defaultdict(int)
        for app_id, member_id, status in Assignment.objects.filter(member__panel=panel).values_list(
            "application_id", "member_id", "status"
        ):
            active = status != Assignment.Status.RECUSED
            existing[app_id][member_id] = active
            if active:
                loads[member_id] += 1
        plan = plan_assignments(
            applications=apps,
            members=members,
            existing=existing,
            conflicts=conflicted_pairs(panel, organisation_ids={a.organisation_id for a in apps}),
            per_application=round.reviews_per_application,
            loads=loads,
        )
        created = Assignment.objects.bulk_create(
            [Assignment(application_id=a, member_id=m, due_at=round.review_deadline, assigned_by=by) for a, m in plan]
        )
        if created:
            scores_ensure(round=round, application_ids=[a.application_id for a in created])
            audit(panel, "review.panel.auto_assign", user=by, data={"assignments": len(created), "round": round.pk})
            notifications.notify_assigned(
                Assignment.objects.filter(pk__in=[a.pk for a in created]).select_related(
                    "application__round", "member__user"
                )
            )
    return created


def assignments_preview(*, round) -> list[tuple]:
    """What `assignments_auto_assign` would do now, without doing it: [(application, member)], for the confirmation
    page. The real run plans again, so a change in between is taken into account."""
    panel = Panel.objects.get(round=round)
    applications = list(
        Application.objects.filter(round=round, status=Application.Status.IN_REVIEW).select_related("organisation")
    )
    members = {m.pk: m for m in panel.members.filter(removed_at__isnull=True).select_related("user")}
    existing = defaultdict(dict)
    for app_id, member_id, status in Assignment.objects.filter(member__panel=panel).values_list(
        "application_id", "member_id", "status"
    ):
        existing[app_id][member_id] = status != Assignment.Status.RECUSED
    plan = plan_assignments(
        applications=[ApplicationSlot(a.id, a.organisation_id) for a in applications],
        members=[MemberSlot(m.pk, m.kind) for m in members.values()],
        existing=existing,
        conflicts=conflicted_pairs(panel, organisation_ids={a.organisation_id for a in applications}),
        per_application=round.reviews_per_application,
    )
    by_id = {a.pk: a for a in applications}
    return [(by_id[app_id], members[member_id]) for app_id, member_id in plan]


AUTO_ASSIGN_LABEL = _("Reviewers assigned automatically")
