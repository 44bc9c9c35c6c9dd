"""Grantees fill, save and submit reports; staff approve or send back; permissions; validation; files."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.impact import selectors, services
from grants.impact.models import ImpactReport, Metric, MetricValue, ReportRequirement, RoundMetric
from tests.factories.impact import MetricFactory, make_report

S = ImpactReport.Status
pytestmark = pytest.mark.django_db
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def kits(funding_round):
    metric = Metric.objects.get(key="naloxone-kits-distributed")
    RoundMetric.objects.create(round=funding_round, metric=metric, required=True)
    return metric


@pytest.fixture
def pct(funding_round):
    metric = MetricFactory(
        key="pct-housed", label="Share housed", kind=Metric.Kind.PERCENTAGE, aggregation=Metric.Aggregation.AVERAGE
    )
    RoundMetric.objects.create(round=funding_round, metric=metric, required=False)
    return metric


@pytest.fixture
def report(award, kits, pct):
    today = timezone.localdate()
    return make_report(
        award,
        1,
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=1),
        status=S.DUE,
        due_date=today + timedelta(days=20),
        metrics=[kits, pct],
    )


def test_metric_catalogue_is_seeded_by_migration():
    keys = set(Metric.objects.values_list("key", flat=True))
    assert {
        "naloxone-kits-distributed",
        "overdose-reversals-reported",
        "people-reached",
        "referrals-to-treatment",
        "drug-checking-samples-tested",
        "peer-workers-employed",
        "trainings-delivered",
    } <= keys
    assert Metric.objects.get(key="peer-workers-employed").aggregation == Metric.Aggregation.LATEST


def test_requirements_are_generated_quarterly_with_a_final_report(award, kits, staff):
    award.period_start, award.period_end = date(2025, 1, 1), date(2025, 12, 31)
    award.save(update_fields=["period_start", "period_end"])
    reports = services.report_requirements_generate(award=award, by=staff)
    assert [(r.number, r.period_start, r.period_end, r.due_date, r.final) for r in reports] == [
        (1, date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 30), False),
        (2, date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 30), False),
        (3, date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 30), False),
        (4, date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 30), True),
    ]
    assert list(reports[0].requirement.metrics.all()) == [kits]
    assert services.report_requirements_generate(award=award, by=staff) == []  # idempotent
    assert ReportRequirement.objects.filter(award=award).count() == 4


def test_negative_count_is_refused(report, member, kits):
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.impact_report_save(report=report, by=member, values={kits.pk: "-3"})
    assert not MetricValue.objects.filter(report=report).exists()


def test_percentage_over_100_is_refused(report, member, pct):
    with pytest.raises(ValidationError, match="from 0 to 100"):
        services.impact_report_save(report=report, by=member, values={pct.pk: "100.5"})


def test_count_must_be_whole(report, member, kits):
    with pytest.raises(ValidationError, match="whole number"):
        services.impact_report_save(report=report, by=member, values={kits.pk: "2.5"})


def test_breakdown_may_not_exceed_total(report, member, kits):
    from tests.factories.applicants import NeighbourhoodFactory

    n1, n2 = NeighbourhoodFactory(), NeighbourhoodFactory()
    with pytest.raises(ValidationError, match="more than the total"):
        services.impact_report_save(
            report=report, by=member, values={kits.pk: "10"}, breakdown={kits.pk: {n1.pk: "6", n2.pk: "5"}}
        )
    services.impact_report_save(
        report=report, by=member, values={kits.pk: "10"}, breakdown={kits.pk: {n1.pk: "6", n2.pk: "4"}}
    )
    assert MetricValue.objects.filter(report=report, neighbourhood__isnull=False).count() == 2


def test_member_saves_a_draft_with_sanitised_narrative(report, member, kits):
    services.impact_report_save(
        report=report, by=member, values={kits.pk: "40"}, narrative="<p>Good quarter<script>alert(1)</script></p>"
    )
    report.refresh_from_db()
    assert report.status == S.DRAFT
    assert "<script>" not in report.narrative and "Good quarter" in report.narrative
    assert MetricValue.objects.get(report=report, metric=kits).value == Decimal("40.00")


def test_submit_needs_required_metrics_and_emails_staff(
    report, member, kits, settings, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="required"):
        services.impact_report_submit(report=report, by=member)
    services.impact_report_save(report=report, by=member, values={kits.pk: "40"})
    with django_capture_on_commit_callbacks(execute=True):
        services.impact_report_submit(report=report, by=member)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED and report.submitted_by == member
    assert [m.to for m in mail.outbox] == [[settings.STAFF_NOTIFICATION_EMAIL]]


def test_member_of_another_organisation_cannot_edit(report, outsider, kits):
    with pytest.raises(PermissionDenied):
        services.impact_report_save(report=report, by=outsider, values={kits.pk: "1"})


def test_changes_requested_then_resubmitted_then_approved(
    report, member, staff, kits, django_capture_on_commit_callbacks
):
    services.impact_report_save(report=report, by=member, values={kits.pk: "40"})
    services.impact_report_submit(report=report, by=member)
    with pytest.raises(ValidationError):
        services.impact_report_request_changes(report=report, by=staff, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.impact_report_request_changes(report=report, by=staff, comment="Please add the Q1 training numbers.")
    report.refresh_from_db()
    assert report.status == S.CHANGES_REQUESTED
    assert member.email in mail.outbox[-1].to and "Q1 training" in mail.outbox[-1].body
    services.impact_report_save(report=report, by=member, values={kits.pk: "45"})
    report.refresh_from_db()
    assert report.status == S.CHANGES_REQUESTED
    services.impact_report_submit(report=report, by=member)
    assert not selectors.report_approved(report.award, 1)
    services.impact_report_approve(report=report, by=staff)
    report.refresh_from_db()
    assert report.status == S.APPROVED and report.reviewed_by == staff
    assert selectors.report_approved(report.award, 1)
    with pytest.raises(services.ReportError):
        services.impact_report_approve(report=report, by=staff)


def test_only_program_staff_review(report, member, finance, kits):
    services.impact_report_save(report=report, by=member, values={kits.pk: "40"})
    services.impact_report_submit(report=report, by=member)
    for user in (member, finance):
        with pytest.raises(PermissionDenied):
            services.impact_report_approve(report=report, by=user)


def test_awards_payment_hold_sees_overdue_reports(award, report):
    from grants.awards.selectors import has_overdue_reports, report_approved

    assert not has_overdue_reports(award.organisation)
    report.due_date = timezone.localdate() - timedelta(days=1)
    report.save(update_fields=["due_date"])
    assert has_overdue_reports(award.organisation)
    assert selectors.organisation_has_overdue_reports(award.organisation)
    report.status = S.APPROVED
    report.save(update_fields=["status"])
    assert not has_overdue_reports(award.organisation)
    assert report_approved(award, 1)


def test_mark_overdue_command_marks_late_drafts(report, member, kits):
    services.impact_report_save(report=report, by=member, values={kits.pk: "4"})
    assert services.reports_mark_overdue(today=report.due_date) == 0
    assert services.reports_mark_overdue(today=report.due_date + timedelta(days=1)) == 1
    report.refresh_from_db()
    assert report.status == S.OVERDUE


def test_a_terminated_awards_reports_are_neither_marked_overdue_nor_chased(report, award):
    from grants.awards.models import Award

    Award.objects.filter(pk=award.pk).update(status=Award.Status.TERMINATED)
    late = report.due_date + timedelta(days=1)
    assert services.reports_mark_overdue(today=late) == 0
    assert services.report_reminders_send(today=late) == 0
    report.refresh_from_db()
    assert report.status != S.OVERDUE


# ---- views ----


def test_other_organisations_member_gets_404(client, login, report, outsider):
    login(outsider)
    assert client.get(reverse("impact:report_detail", args=[report.pk])).status_code == 404


def test_member_fills_the_form_and_sees_field_errors(client, login, report, member, kits, pct):
    login(member)
    url = reverse("impact:report_detail", args=[report.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert f'name="metric_{kits.pk}"' in response.content.decode()
    response = client.post(url, {f"metric_{kits.pk}": "-1", f"metric_{pct.pk}": "150", "action": "save"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be negative" in body and "from 0 to 100" in body
    response = client.post(url, {f"metric_{kits.pk}": "12", f"metric_{pct.pk}": "75", "action": "submit"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_report_list_shows_only_my_reports(client, login, report, member, outsider):
    login(member)
    assert "Report 1" in client.get(reverse("impact:report_list")).content.decode()
    login(outsider)
    assert "Report 1" not in client.get(reverse("impact:report_list")).content.decode()


def test_attachment_is_checked_and_downloaded_safely(client, login, report, member, outsider):
    login(member)
    bad = SimpleUploadedFile("evil.html", b"<html><script>alert(1)</script></html>", content_type="text/html")
    client.post(reverse("impact:attachment_upload", args=[report.pk]), {"file": bad})
    assert not report.attachments.exists()
    good = SimpleUploadedFile("numbers.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(reverse("impact:attachment_upload", args=[report.pk]), {"file": good})
    attachment = report.attachments.get()
    url = reverse("impact:attachment_download", args=[report.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    login(outsider)
    assert client.get(url).status_code == 404


def test_story_photo_is_public_only_with_consent_and_approval(client, login, report, member):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
        b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    story = services.story_add(
        report=report,
        by=member,
        title="Winter",
        text="A night at the van.",
        consent_to_publish=True,
        photo=SimpleUploadedFile("p.png", png, content_type="image/png"),
        photo_alt="The van at night",
    )
    url = reverse("impact:story_photo", args=[story.pk])
    client.logout()
    assert client.get(url).status_code == 404  # report not approved yet
    ImpactReport.objects.filter(pk=report.pk).update(status=S.APPROVED)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    story.consent_to_publish = False
    story.save(update_fields=["consent_to_publish"])
    assert client.get(url).status_code == 404


def test_staff_review_screen(client, login, report, member, staff, editor, finance, kits):
    services.impact_report_save(report=report, by=member, values={kits.pk: "40"})
    services.impact_report_submit(report=report, by=member)
    url = reverse("impact_admin:report_detail", args=[report.pk])
    for user in (editor, finance):
        login(user)
        assert client.get(url).status_code == 403
        assert (
            client.post(reverse("impact_admin:report_review", args=[report.pk]), {"decision": "approve"}).status_code
            == 403
        )
    login(staff)
    assert client.get(url).status_code == 200
    assert client.get(reverse("impact_admin:report_list")).status_code == 200
    response = client.post(
        reverse("impact_admin:report_review", args=[report.pk]), {"decision": "request_changes", "comment": ""}
    )
    assert response.status_code == 200 and "Say what needs to change" in response.content.decode()
    client.post(reverse("impact_admin:report_review", args=[report.pk]), {"decision": "approve"})
    report.refresh_from_db()
    assert report.status == S.APPROVED


def test_dashboard_panel_lists_reports_needing_action(client, login, report, member, outsider):
    login(member)
    body = client.get("/dashboard/").content.decode()
    assert "impact-panel-title" in body and reverse("impact:report_detail", args=[report.pk]) in body
    login(outsider)
    assert "impact-panel-title" not in client.get("/dashboard/").content.decode()


def test_approval_releases_the_tranche_waiting_on_that_report(staff, member, kits, funding_round, organisation):
    """A real award (ledger and all): its second tranche waits on report 1 and becomes payable once it is approved."""
    from grants.awards.models import Tranche
    from grants.awards.selectors import tranche_payable
    from grants.awards.services import TrancheSpec
    from tests.factories.awards import ApprovedApplicationFactory, accepted_award, fund_with_money, grantee_owner

    fund_with_money(funding_round.fund, "50000.00")
    owner = grantee_owner(organisation)
    today = timezone.localdate()
    award = accepted_award(
        application=ApprovedApplicationFactory(round=funding_round, organisation=organisation),
        staff=staff,
        owner=owner,
        amount="10000.00",
        tranches=[
            TrancheSpec(Decimal("6000.00"), today),
            TrancheSpec(Decimal("4000.00"), today, "on_report_approval", 1),
        ],
    )
    report = make_report(
        award,
        1,
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=1),
        status=S.DUE,
        due_date=today + timedelta(days=20),
        metrics=[kits],
    )
    waiting = Tranche.objects.get(award=award, sequence=2)
    assert tranche_payable(waiting) == (False, "Waiting for report 1 to be approved.")
    services.impact_report_save(report=report, by=owner, values={kits.pk: "30"})
    services.impact_report_submit(report=report, by=owner)
    services.impact_report_approve(report=report, by=staff)
    assert tranche_payable(waiting) == (True, "")


def test_adding_a_story_keeps_the_figures_typed_above_it(client, login, report, member, kits, pct):
    login(member)
    url = reverse("impact:report_detail", args=[report.pk])
    page = client.get(url).content.decode()
    assert 'name="story-title"' in page and 'form="impact-report-form"' in page
    response = client.post(
        url,
        {
            f"metric_{kits.pk}": "120",
            f"metric_{pct.pk}": "75",
            "story-title": "Night van",
            "story-text": "People came back the next week.",
            "action": "story",
        },
    )
    assert response.status_code == 302
    assert report.stories.get().title == "Night van"
    assert MetricValue.objects.get(report=report, metric=kits).value == Decimal("120.00")
    assert MetricValue.objects.get(report=report, metric=pct).value == Decimal("75.00")


def test_a_story_with_a_mistake_in_the_figures_is_added_and_the_figures_shown_again_as_typed(
    client, login, report, member, kits, pct
):
    login(member)
    url = reverse("impact:report_detail", args=[report.pk])
    response = client.post(
        url,
        {
            f"metric_{kits.pk}": "-1",
            f"metric_{pct.pk}": "75",
            "story-title": "Night van",
            "story-text": "People came back.",
            "action": "story",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert report.stories.get().title == "Night van"
    assert "cannot be negative" in body
    assert f'name="metric_{kits.pk}" value="-1"' in body and f'name="metric_{pct.pk}" value="75"' in body


def test_an_incomplete_story_or_a_file_upload_keeps_the_figures(client, login, report, member, kits, pct):
    login(member)
    url = reverse("impact:report_detail", args=[report.pk])
    response = client.post(url, {f"metric_{kits.pk}": "30", "story-text": "No title yet", "action": "story"})
    body = response.content.decode()
    assert response.status_code == 200 and not report.stories.exists()
    assert "Title: This field is required." in body
    assert f'name="metric_{kits.pk}" value="30"' in body and "No title yet" in body

    pdf = SimpleUploadedFile("numbers.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(url, {f"metric_{kits.pk}": "31", "file-file": pdf, "action": "file"})
    assert response.status_code == 302
    assert report.attachments.get().original_name == "numbers.pdf"
    assert MetricValue.objects.get(report=report, metric=kits).value == Decimal("31.00")
