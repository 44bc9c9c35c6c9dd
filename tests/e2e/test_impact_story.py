"""A grantee types the period's figures, then adds a story with a photo: the figures are still there afterwards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.impact.models import ImpactReport, MetricValue, RoundMetric
from tests.factories.applicants import MembershipFactory
from tests.factories.impact import AwardRowFactory, MetricFactory, make_report

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def report_and_member(db):
    from allauth.account.models import EmailAddress

    from tests.factories.awards import ApprovedApplicationFactory

    application = ApprovedApplicationFactory()
    award = AwardRowFactory(application=application)
    # Made here, not read from the migration's catalogue: an earlier browser test may have flushed the tables.
    kits = MetricFactory(key="naloxone-kits-distributed", label="Naloxone kits distributed", unit="kits")
    RoundMetric.objects.create(round=application.round, metric=kits, required=True)
    today = timezone.localdate()
    report = make_report(
        award,
        1,
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=1),
        status=ImpactReport.Status.DUE,
        due_date=today + timedelta(days=20),
        metrics=[kits],
    )
    member = MembershipFactory(organisation=application.organisation).user
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return report, member, kits


def test_adding_a_story_with_a_photo_keeps_the_typed_figures(
    browser_page, e2e_login, axe_violations, report_and_member, tmp_path
):
    report, member, kits = report_and_member
    page = browser_page
    e2e_login(page, member)
    page.goto(f"{page.base_url}/impact-reports/{report.pk}/")
    page.locator(f"#id_metric_{kits.pk}").fill("140")
    page.locator("#id_story-title").fill("Back the next week")
    page.locator("#id_story-text").fill("People came back to the van the following week.")
    photo = tmp_path / "van.png"
    photo.write_bytes(PNG)
    page.get_by_label("Photo (optional)").set_input_files(str(photo))
    page.get_by_label("Describe the photo").fill("The outreach van at night")
    page.get_by_role("button", name="Add story").click()
    page.get_by_text("Story added.").wait_for()

    assert Decimal(page.locator(f"#id_metric_{kits.pk}").input_value()) == 140
    assert page.get_by_role("heading", name="Back the next week").count() == 1
    assert MetricValue.objects.get(report=report, metric=kits).value == 140
    assert axe_violations(page) == []
