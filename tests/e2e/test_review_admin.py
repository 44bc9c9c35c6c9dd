"""Program staff in the browser: point labels are fields that follow the criterion's scale; automatic assignment and
removing a panel member go through confirmation pages that say what will happen."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.review.models import Assignment, PanelMember
from portal import roles
from tests.factories.grants import ApplicationFactory, FundingRoundFactory
from tests.factories.review import CriterionFactory, PanelFactory, PanelMemberFactory, RubricFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def round_in_review(mfa_user_factory):
    funding_round = FundingRoundFactory(status="review", title="2026 Community-Led Response Grants")
    panel = PanelFactory(round=funding_round, name="2026 panel")
    rubric = RubricFactory(round=funding_round, title="Scoring guide")
    CriterionFactory(rubric=rubric, title="Community need", weight=Decimal("3"), order=1)
    staff = mfa_user_factory(roles.PROGRAM_STAFF, first_name="Priya", last_name="Natarajan")
    members = [
        PanelMemberFactory(panel=panel, kind=kind)
        for kind in (PanelMember.Kind.COMMUNITY, PanelMember.Kind.STAFF, PanelMember.Kind.EXTERNAL) * 2
    ]
    applications = [ApplicationFactory(round=funding_round, status="in_review") for _ in range(2)]
    return {"round": funding_round, "rubric": rubric, "staff": staff, "members": members, "apps": applications}


def test_point_labels_follow_the_scale(browser_page, e2e_login, round_in_review):
    page = browser_page
    e2e_login(page, round_in_review["staff"])
    page.goto(page.base_url + reverse("review_rubrics:edit", args=[round_in_review["rubric"].pk]))

    labels = page.locator("[data-review-point-labels]").first
    assert labels.get_by_label("Point 5", exact=True).input_value() == "Excellent"
    assert (
        labels.get_by_label("Point 1", exact=True).is_visible()
        and labels.get_by_label("Point 5", exact=True).is_visible()
    )
    assert (
        not labels.get_by_label("Point 0", exact=True).is_visible()
        and not labels.get_by_label("Point 7", exact=True).is_visible()
    )

    page.locator('[name="criteria-0-scale_max"]').fill("7")
    assert labels.get_by_label("Point 7", exact=True).is_visible()
    labels.get_by_label("Point 7", exact=True).fill("Outstanding")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()

    criterion = round_in_review["rubric"].criteria.get()
    assert criterion.scale_max == 7 and criterion.label_for(7) == "Outstanding"


def test_assign_automatically_then_remove_a_member_through_confirmation_pages(
    browser_page, e2e_login, axe_violations, round_in_review
):
    page = browser_page
    e2e_login(page, round_in_review["staff"])
    funding_round = round_in_review["round"]
    page.goto(page.base_url + reverse("review_admin:assignments", args=[funding_round.pk]))

    page.get_by_role("link", name="Assign automatically…").click()
    page.get_by_text("This will make 6 assignments, shared between").wait_for()
    assert Assignment.objects.count() == 0
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm: make these assignments").click()
    page.get_by_text("6 assignments made; the reviewers have been emailed.").wait_for()

    leaving = Assignment.objects.order_by("pk").first().member
    page.goto(page.base_url + reverse("review_admin:panel", args=[funding_round.pk]))
    page.get_by_role("link", name=f"Remove {leaving.user.display_name}").click()
    page.get_by_text("will be released and given to").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm: remove from the panel").click()
    page.get_by_text(f"{leaving.user.display_name} was removed from the panel").wait_for()

    leaving.refresh_from_db()
    assert leaving.removed_at is not None
    assert Assignment.objects.exclude(status="recused").count() == 6
    assert not Assignment.objects.filter(member=leaving).exists()
