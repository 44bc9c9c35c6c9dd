from collections import Counter, defaultdict

import pytest

from grants.review.assignment import ApplicationSlot, MemberSlot, plan_assignments
from grants.review.models import Assignment, ConflictDeclaration, PanelMember
from grants.review.services import ReviewError, assignment_create, assignments_auto, conflict_declare
from tests.factories.applicants import OrganisationFactory
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db

KINDS = [PanelMember.Kind.STAFF, PanelMember.Kind.COMMUNITY, PanelMember.Kind.EXTERNAL]


def _panel_of_nine(panel):
    return [PanelMemberFactory(panel=panel, kind=kind) for kind in KINDS for _ in range(3)]


def test_sixty_applications_nine_reviewers_five_conflicts(review_round, staff_user):
    panel = review_round.panel
    members = _panel_of_nine(panel)
    orgs = [OrganisationFactory() for _ in range(30)]
    apps = [ApplicationFactory(round=review_round, organisation=orgs[i // 2], status="in_review") for i in range(60)]
    # Five conflicts, declared earlier on one application of an organisation that has two: the other must avoid them too.
    conflicted = [
        (members[3], orgs[0]),
        (members[4], orgs[1]),
        (members[0], orgs[2]),
        (members[1], orgs[3]),
        (members[6], orgs[4]),
    ]
    for member, org in conflicted:
        assignment = Assignment.objects.create(application=apps[orgs.index(org) * 2], member=member)
        conflict_declare(assignment=assignment, has_conflict=True, reason="Board member", by=member.user)

    assignments_auto(round=review_round, by=staff_user)

    active = Assignment.objects.filter(member__panel=panel).exclude(status=Assignment.Status.RECUSED)
    per_app = defaultdict(list)
    for a in active.select_related("member", "application"):
        per_app[a.application_id].append(a)
    assert len(per_app) == 60
    conflicts = {(m.pk, o.pk) for m, o in conflicted}
    for app in apps:
        reviewers = per_app[app.pk]
        assert len(reviewers) == 3, app
        assert len({a.member_id for a in reviewers}) == 3
        assert not any((a.member_id, app.organisation_id) in conflicts for a in reviewers)
        assert any(a.member.kind == PanelMember.Kind.COMMUNITY for a in reviewers)
    loads = Counter(active.values_list("member_id", flat=True))
    assert len(loads) == 9
    assert max(loads.values()) - min(loads.values()) <= 1
    assert ConflictDeclaration.objects.filter(has_conflict=True).count() == 5


def test_auto_assignment_is_deterministic_and_idempotent():
    members = [MemberSlot(i, KINDS[i % 3]) for i in range(1, 7)]
    apps = [ApplicationSlot(i, 100 + i) for i in range(1, 11)]
    first = plan_assignments(applications=apps, members=members, existing={}, conflicts={(2, 101)}, per_application=3)
    second = plan_assignments(applications=apps, members=members, existing={}, conflicts={(2, 101)}, per_application=3)
    assert first == second and len(first) == 30
    done = defaultdict(dict)
    for app_id, member_id in first:
        done[app_id][member_id] = True
    assert plan_assignments(applications=apps, members=members, existing=done, conflicts=set(), per_application=3) == []


def test_mixes_kinds_when_it_can():
    members = [MemberSlot(i, KINDS[i % 3]) for i in range(1, 10)]
    plan = plan_assignments(
        applications=[ApplicationSlot(1, 1)], members=members, existing={}, conflicts=set(), per_application=3
    )
    assert sorted(KINDS[m % 3] for _a, m in plan) == sorted(KINDS)


def test_recusal_frees_the_slot_for_a_replacement(review_round, staff_user):
    _panel_of_nine(review_round.panel)
    app = ApplicationFactory(round=review_round, status="in_review")
    assignments_auto(round=review_round, by=staff_user)
    recusing = Assignment.objects.filter(application=app).select_related("member").first()

    conflict_declare(assignment=recusing, has_conflict=True, reason="My sister runs it", by=recusing.member.user)

    recusing.refresh_from_db()
    assert recusing.status == Assignment.Status.RECUSED
    active = Assignment.objects.filter(application=app).exclude(status=Assignment.Status.RECUSED)
    assert active.count() == 3
    assert recusing.member_id not in set(active.values_list("member_id", flat=True))


def test_manual_assignment_refuses_a_conflicted_member(review_round, staff_user):
    member = PanelMemberFactory(panel=review_round.panel)
    org = OrganisationFactory()
    first, second = (ApplicationFactory(round=review_round, organisation=org, status="in_review") for _ in range(2))
    assignment = Assignment.objects.create(application=first, member=member)
    conflict_declare(assignment=assignment, has_conflict=True, reason="Former employee", by=member.user)

    with pytest.raises(ReviewError, match="conflict of interest"):
        assignment_create(application=second, member=member, by=staff_user)
    assert not Assignment.objects.filter(application=second, member=member).exists()


def test_conflict_needs_a_reason(review_round):
    member = PanelMemberFactory(panel=review_round.panel)
    assignment = Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review"), member=member
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        conflict_declare(assignment=assignment, has_conflict=True, reason="  ", by=member.user)
    assert not ConflictDeclaration.objects.exists()
