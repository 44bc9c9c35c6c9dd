"""A reviewer signs in with MFA, declares no conflict, scores with the running total updating and submits;
the chair (program staff) then sees the ranking include the new score."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.review.models import Assignment, PanelMember, Review
from portal import roles
from tests.factories.grants import ApplicationFactory, FundingRoundFactory
from tests.factories.review import CriterionFactory, PanelFactory, RubricFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def panel_setup(mfa_user_factory):
    funding_round = FundingRoundFactory(status="review", title="2026 Community-Led Response Grants")
    panel = PanelFactory(round=funding_round, name="2026 panel")
    rubric = RubricFactory(round=funding_round, title="Scoring guide")
    criteria = [
        CriterionFactory(rubric=rubric, title="Community need", weight=Decimal("3"), order=1),
        CriterionFactory(rubric=rubric, title="Lived experience", weight=Decimal("2"), order=2),
        CriterionFactory(rubric=rubric, title="Budget", weight=Decimal("1"), allow_na=True, order=3),
    ]
    reviewer = mfa_user_factory(roles.REVIEWER, first_name="Tasha", last_name="Greene")
    chair = mfa_user_factory(roles.PROGRAM_STAFF, roles.REVIEWER, first_name="Priya", last_name="Natarajan")
    PanelMember.objects.create(panel=panel, user=chair, kind=PanelMember.Kind.STAFF, is_chair=True)
    member = PanelMember.objects.create(panel=panel, user=reviewer, kind=PanelMember.Kind.COMMUNITY)
    application = ApplicationFactory(
        round=funding_round,
        status="in_review",
        title="Peer naloxone outreach",
        reference="CRF-2026-0042",
        form_snapshot={"questions": [{"key": "q1", "kind": "long_text", "label": "What will you do?"}]},
        answers={"q1": "Train 40 peers and hand out 2,000 naloxone kits."},
    )
    assignment = Assignment.objects.create(application=application, member=member)
    return {
        "round": funding_round,
        "reviewer": reviewer,
        "chair": chair,
        "assignment": assignment,
        "criteria": criteria,
    }


def test_reviewer_scores_and_chair_sees_the_ranking(browser_page, e2e_login, axe_violations, panel_setup):
    page = browser_page
    e2e_login(page, panel_setup["reviewer"], next_url="/reviews/")
    assert page.url.endswith("/reviews/")
    page.get_by_role("link", name="CRF-2026-0042: Peer naloxone outreach").click()

    # The conflict question comes before the application.
    assert page.get_by_role("heading", level=1).inner_text().startswith("Before you read")
    assert page.get_by_text("Train 40 peers").count() == 0
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_text("Train 40 peers and hand out 2,000 naloxone kits.").wait_for()
    total = page.locator("#review-running-total")
    assert total.inner_text() == "–"
    need, lived, budget = panel_setup["criteria"]
    page.locator(f"#field-score_{need.pk}").get_by_label("5 – Excellent").check()
    assert total.inner_text() == "100.00 / 100"
    page.locator(f"#field-score_{lived.pk}").get_by_label("3 – Good").check()
    assert total.inner_text() == "80.00 / 100"  # (3×100 + 2×50) / 5
    page.locator(f"#field-score_{budget.pk}").get_by_label("1 – Weak").check()
    assert total.inner_text() == "66.67 / 100"  # (300 + 100 + 0) / 6
    page.locator(f"#field-score_{budget.pk}").get_by_label("Not applicable").check()
    assert total.inner_text() == "80.00 / 100"  # n/a is left out, never counted as zero
    page.get_by_label(f"Comment on “{need.title}”").fill("Clear need in Northside.")
    page.get_by_label("Fund", exact=True).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit review").click()
    page.get_by_text("Your review is submitted. Thank you!").wait_for()
    review = Review.objects.get(assignment=panel_setup["assignment"])
    assert review.status == Review.Status.SUBMITTED and review.weighted_score == Decimal("80.00")

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()
    e2e_login(page, panel_setup["chair"])
    page.goto(page.base_url + reverse("review_admin:ranking", args=[panel_setup["round"].pk]))
    row = page.locator("tr", has_text="CRF-2026-0042")
    assert "80.00" in row.inner_text()
    assert "1: 1 / 0 / 0" in row.inner_text()
