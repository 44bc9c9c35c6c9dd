"""Rubric versions: a rubric is edited in place until its first review is submitted, which freezes it; an edit then makes
a new version; scores always refer to the version and criterion rows they were given against; deleting a criterion never
deletes a score; results keep working when reviews in one round used different versions."""

from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from grants.review.models import ApplicationScore, Assignment, Criterion, PanelMember, Review, ReviewScore, Rubric
from grants.review.rubrics import current_rubric, versions_used
from grants.review.services import conflict_declare, review_save
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db


def _edit_data(rubric, *, change=None, delete=(), add=()):
    """The admin edit form as a browser would post it: every criterion of `rubric`, some changed or deleted, plus new
    ones. Labels go in one field per point."""
    change = change or {}
    criteria = list(rubric.criteria.all())
    data = {
        "round": rubric.round_id,
        "title": rubric.title,
        "introduction": rubric.introduction,
        "criteria-TOTAL_FORMS": str(len(criteria) + len(add)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    rows = [
        {
            "id": c.pk,
            "title": c.title,
            "guidance": c.guidance,
            "weight": str(c.weight),
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "order": c.order,
            "allow_na": "on" if c.allow_na else "",
            **{f"labels_{p}": label for p, label in (c.labels or {}).items()},
            **change.get(c.title, {}),
            "DELETE": "1" if c.title in delete else "",
        }
        for c in criteria
    ]
    rows += [{"id": "", "scale_min": 1, "scale_max": 5, "order": 9, "DELETE": "", **extra} for extra in add]
    for index, row in enumerate(rows):
        for field, value in row.items():
            data[f"criteria-{index}-{field}"] = value
    return data


def _member(panel, kind=PanelMember.Kind.COMMUNITY):
    return PanelMemberFactory(panel=panel, kind=kind)


def _declared(application, member):
    assignment = Assignment.objects.create(application=application, member=member)
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    return assignment


def _submit(assignment, score):
    rubric = current_rubric(assignment.application.round)
    return review_save(
        assignment=assignment,
        by=assignment.member.user,
        submit=True,
        recommendation="fund",
        scores={c.pk: {"score": score} for c in rubric.criteria.all()},
    )


@pytest.fixture
def application(review_round):
    return ApplicationFactory(round=review_round, status="in_review")


def test_a_rubric_is_edited_in_place_until_a_review_is_submitted(client, login, staff_user, review_round, application):
    rubric = review_round.rubric
    _member_assignment = _declared(application, _member(review_round.panel))
    review_save(assignment=_member_assignment, by=_member_assignment.member.user, scores={})  # a draft does not freeze
    login(staff_user)

    response = client.post(
        reverse("review_rubrics:edit", args=[rubric.pk]), _edit_data(rubric, change={"Impact": {"weight": "4"}})
    )

    assert response.status_code == 302
    assert Rubric.objects.filter(round=review_round).count() == 1
    assert rubric.criteria.get(title="Impact").weight == Decimal("4.00")
    rubric.refresh_from_db()
    assert not rubric.is_frozen


def test_the_first_submitted_review_freezes_the_rubric_and_an_edit_makes_version_two(
    client, login, staff_user, review_round, application
):
    v1 = review_round.rubric
    v1_criteria = {c.title: (c.pk, c.weight) for c in v1.criteria.all()}
    review = _submit(_declared(application, _member(review_round.panel)), 4)
    v1.refresh_from_db()
    assert v1.is_frozen
    login(staff_user)

    page = client.get(reverse("review_rubrics:edit", args=[v1.pk])).content.decode()
    response = client.post(
        reverse("review_rubrics:edit", args=[v1.pk]),
        _edit_data(
            v1,
            change={"Impact": {"weight": "5"}},
            delete=["Budget"],
            add=[{"title": "Reach", "guidance": "Who it reaches", "weight": "1"}],
        ),
        follow=True,
    )

    assert "it is frozen" in page
    assert "saved as version 2" in response.content.decode()
    v2 = current_rubric(review_round)
    assert v2.version == 2 and v2.previous_id == v1.pk
    assert sorted(c.title for c in v2.criteria.all()) == ["Community leadership", "Impact", "Reach"]
    assert v2.criteria.get(title="Impact").weight == Decimal("5.00")
    # Version 1 is exactly as it was, and the submitted review still points at it and its rows.
    v1.refresh_from_db()
    assert not v1.is_current
    assert {c.title: (c.pk, c.weight) for c in v1.criteria.all()} == v1_criteria
    review.refresh_from_db()
    assert review.rubric_id == v1.pk
    assert set(ReviewScore.objects.filter(review=review).values_list("criterion_id", flat=True)) == {
        pk for pk, _weight in v1_criteria.values()
    }
    # A criterion that continues keeps its key, so drafts follow it.
    assert v2.criteria.get(title="Impact").key == v1.criteria.get(title="Impact").key
    assert v2.criteria.get(title="Reach").key not in set(v1.criteria.values_list("key", flat=True))


def test_deleting_a_criterion_never_deletes_a_score(review_round, application):
    review = _submit(_declared(application, _member(review_round.panel)), 4)
    scored = Criterion.objects.get(rubric__round=review_round, title="Budget")

    with pytest.raises(ProtectedError):
        scored.delete()
    with pytest.raises(ProtectedError):
        review_round.rubric.delete()

    assert ReviewScore.objects.filter(review=review).count() == 3


def test_a_frozen_rubric_cannot_be_deleted_in_the_admin(client, login, staff_user, review_round, application):
    _submit(_declared(application, _member(review_round.panel)), 4)
    rubric = review_round.rubric
    login(staff_user)

    response = client.post(reverse("review_rubrics:delete", args=[rubric.pk]), follow=True)

    assert response.status_code == 200 and "it is kept" in response.content.decode()
    assert Rubric.objects.filter(pk=rubric.pk).exists()


def test_an_older_version_opens_as_a_pointer_to_the_current_one(client, login, staff_user, review_round, application):
    _submit(_declared(application, _member(review_round.panel)), 4)
    v1 = review_round.rubric
    login(staff_user)
    client.post(reverse("review_rubrics:edit", args=[v1.pk]), _edit_data(v1, change={"Impact": {"weight": "5"}}))
    v2 = current_rubric(review_round)

    response = client.get(reverse("review_rubrics:edit", args=[v1.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("review_rubrics:edit", args=[v2.pk])


def test_a_draft_follows_its_criteria_into_the_new_version(client, login, staff_user, review_round, application):
    _submit(_declared(application, _member(review_round.panel)), 4)  # freezes version 1
    drafting = _declared(application, _member(review_round.panel))
    v1 = review_round.rubric
    impact_v1 = v1.criteria.get(title="Impact")
    review_save(assignment=drafting, by=drafting.member.user, scores={impact_v1.pk: {"score": 5, "comment": "Strong"}})
    login(staff_user)
    client.post(reverse("review_rubrics:edit", args=[v1.pk]), _edit_data(v1, change={"Impact": {"weight": "5"}}))
    v2 = current_rubric(review_round)
    impact_v2 = v2.criteria.get(title="Impact")

    review = _submit_remaining(drafting, v2, keep=impact_v2)

    assert review.rubric_id == v2.pk
    scores = {s.criterion_id: s for s in review.scores.all()}
    assert set(scores) == set(v2.criteria.values_list("pk", flat=True))
    assert scores[impact_v2.pk].score == 5 and scores[impact_v2.pk].comment == "Strong"


def _submit_remaining(assignment, rubric, *, keep):
    """Submit as the scoring page would: the draft's value for `keep`, a 3 for the others."""
    from grants.review.forms import ReviewForm

    review = Review.objects.get(assignment=assignment)
    criteria = list(rubric.criteria.all())
    initial = ReviewForm.initial_from(review, criteria)
    scores = {
        c.pk: {"score": int(initial[f"score_{c.pk}"]) if c == keep else 3, "comment": initial.get(f"comment_{c.pk}")}
        for c in criteria
    }
    return review_save(
        assignment=assignment, by=assignment.member.user, submit=True, recommendation="maybe", scores=scores
    )


def test_a_page_posted_against_a_replaced_version_is_kept_as_a_draft(
    client, login, staff_user, review_round, application, mfa_user_factory
):
    from portal import roles

    _submit(_declared(application, _member(review_round.panel)), 4)
    reviewer = mfa_user_factory(roles.REVIEWER)
    assignment = _declared(
        application, PanelMember.objects.create(panel=review_round.panel, user=reviewer, kind="staff")
    )
    v1 = review_round.rubric
    posted = {f"score_{c.pk}": "4" for c in v1.criteria.all()} | {"recommendation": "fund", "rubric": v1.pk}
    login(staff_user)
    client.post(reverse("review_rubrics:edit", args=[v1.pk]), _edit_data(v1, change={"Impact": {"weight": "5"}}))
    login(reviewer)

    response = client.post(reverse("review:score", args=[assignment.pk]), {**posted, "submit": "1"}, follow=True)

    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT
    assert "rubric was updated while you were scoring" in response.content.decode()
    assert "version 2" in response.content.decode()


def test_results_combine_reviews_given_against_different_versions(client, login, staff_user, review_round, application):
    first = _submit(_declared(application, _member(review_round.panel)), 5)  # 100 on version 1
    v1 = review_round.rubric
    login(staff_user)
    client.post(
        reverse("review_rubrics:edit", args=[v1.pk]),
        _edit_data(v1, delete=["Budget"], change={"Impact": {"weight": "1"}}),
    )
    second = _submit(_declared(application, _member(review_round.panel, PanelMember.Kind.STAFF)), 3)  # 50 on v2

    assert (first.rubric.version, second.rubric.version) == (1, 2)
    assert ApplicationScore.objects.get(application=application).mean_score == Decimal("75.00")
    assert versions_used(review_round) == [1, 2]
    page = client.get(reverse("review_admin:application", args=[application.pk])).content.decode()
    assert "different rubric versions (1, 2)" in page
    assert "Scored against rubric version 2" in page


def test_point_labels_are_edited_as_fields_and_must_fit_the_scale(client, login, staff_user, review_round):
    rubric = review_round.rubric
    login(staff_user)

    page = client.get(reverse("review_rubrics:edit", args=[rubric.pk])).content.decode()
    refused = client.post(
        reverse("review_rubrics:edit", args=[rubric.pk]),
        _edit_data(rubric, change={"Impact": {"labels_7": "Off the scale"}}),
    )
    saved = client.post(
        reverse("review_rubrics:edit", args=[rubric.pk]),
        _edit_data(rubric, change={"Impact": {"labels_3": "Solid"}}),
    )

    impact = rubric.criteria.get(title="Impact")
    assert 'name="criteria-0-labels_1" id="id_criteria-0-labels_1" value="Weak"' in page
    assert "{&quot;1&quot;" not in page  # no JSON to edit
    assert refused.status_code == 200 and "outside the scale 1–5" in refused.content.decode()
    assert saved.status_code == 302 and impact.label_for(3) == "Solid" and impact.label_for(1) == "Weak"
