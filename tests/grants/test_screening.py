import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from applicants.models import Neighbourhood, Organisation
from grants.models import Application, ApplicationStatusChange
from tests.factories.grants import ApplicationFactory, FundingRoundFactory

pytestmark = pytest.mark.django_db


def _bulk_applications(n):
    """n submitted applications across organisations, built with bulk_create (fast enough for 2,000)."""
    funding_round = FundingRoundFactory()
    hood = Neighbourhood.objects.create(name="Northside", slug="northside")
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(legal_name=f"Org {i}", slug=f"org-{i}", org_type="nonprofit_corporation", neighbourhood=hood)
            for i in range(max(1, n // 4))
        ]
    )
    Application.objects.bulk_create(
        [
            Application(
                round=funding_round,
                organisation=orgs[i % len(orgs)],
                reference=f"BLK-2026-{i + 1:04d}",
                title=f"Project {i}",
                requested_amount=1000 + i,
                status="submitted",
            )
            for i in range(n)
        ]
    )
    return funding_round


@pytest.mark.parametrize("rows", [20, 2000])
def test_staff_listing_query_count_does_not_grow_with_rows(client, staff, rows, django_assert_max_num_queries):
    _bulk_applications(rows)
    client.force_login(staff)
    url = reverse("grants_admin:application_list")
    client.get(url)  # warm caches that are per process, not per request
    with django_assert_max_num_queries(15):
        response = client.get(url + "?order=-requested_amount&status=submitted")
    assert response.status_code == 200
    # The count stops at COUNT_CAP (1,000): beyond it the page says "More than 1000 applications".
    assert response.context["count"] == min(rows, 1000)
    assert response.context["count_capped"] is (rows > 1000)


def test_staff_detail_stays_under_twenty_queries(client, staff, django_assert_max_num_queries):
    application = ApplicationFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("grants_admin:application_detail", args=[application.pk]))
    assert response.status_code == 200


def test_listing_filters_and_search(client, staff):
    funding_round = _bulk_applications(8)
    other = ApplicationFactory(title="Harbor van", requested_amount=4000)
    client.force_login(staff)
    url = reverse("grants_admin:application_list")
    assert client.get(url, {"round": funding_round.pk}).context["count"] == 8
    assert client.get(url, {"q": "Harbor"}).context["count"] == 1
    assert client.get(url, {"min_amount": 1005, "max_amount": 1007}).context["count"] == 3
    hood = Neighbourhood.objects.get(slug="northside")
    assert client.get(url, {"neighbourhood": hood.pk}).context["count"] == 8
    assert other.reference in client.get(url, {"order": "-requested_amount", "q": "van"}).content.decode()


def test_csv_and_xlsx_export_follow_the_filters(client, staff):
    _bulk_applications(3)
    ApplicationFactory(title='=HYPERLINK("http://evil")')
    client.force_login(staff)
    url = reverse("grants_admin:application_list")
    response = client.get(url, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Reference" and len(rows) == 5
    assert any(row[5].startswith("'=HYPERLINK") for row in rows[1:])  # formulas neutralised
    response = client.get(url, {"export": "xlsx", "q": "Project 1"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2


def test_request_more_info_then_resubmit_shows_a_diff(client, staff, django_capture_on_commit_callbacks):
    from grants import services
    from tests.factories.grants_extra import complete, draft_for, round_with_form

    funding_round = round_with_form()
    application, applicant = draft_for(funding_round)
    complete(application)
    services.application_submit(application=application, by=applicant)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grants_admin:application_act", args=[application.pk, "request_more_info"]),
            {"reason": "Please explain the budget."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "more_info"
    assert "Please explain the budget." in mail.outbox[-1].body and mail.outbox[-1].to == [applicant.email]

    application.answers["problem"] = "A clearer problem statement."
    application.save()
    services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    assert application.status == "submitted" and application.submissions.count() == 2
    response = client.get(reverse("grants_admin:application_detail", args=[application.pk]))
    diff = response.context["diff"]
    assert [c["label"] for c in diff] == ["What problem will you address?"]
    assert diff[0]["after"] == "A clearer problem statement."


def test_mark_ineligible_needs_a_reason_and_is_audited(client, staff):
    application = ApplicationFactory()
    client.force_login(staff)
    url = reverse("grants_admin:application_act", args=[application.pk, "mark_ineligible"])
    client.post(url, {"reason": ""}, follow=True)
    application.refresh_from_db()
    assert application.status == "submitted"
    client.post(url, {"reason": "Outside Millbrook."})
    application.refresh_from_db()
    assert application.status == "declined"
    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.by, change.reason, change.action) == (staff, "Outside Millbrook.", "mark_ineligible")
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(action="grants.application.mark_ineligible", user_id=staff.pk).exists()


def test_illegal_transition_is_refused_with_a_clear_message(client, staff):
    application = ApplicationFactory(status="declined")
    client.force_login(staff)
    response = client.post(
        reverse("grants_admin:application_act", args=[application.pk, "move_to_review"]), follow=True
    )
    assert "This application is declined, so it cannot be changed that way." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "declined"


def test_move_to_review(client, staff):
    application = ApplicationFactory()
    client.force_login(staff)
    client.post(reverse("grants_admin:application_act", args=[application.pk, "move_to_review"]))
    application.refresh_from_db()
    assert application.status == "in_review"
