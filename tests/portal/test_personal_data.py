"""Data rights: a person downloads everything the portal holds about them, as JSON and as a readable PDF (issue 17)."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from fund.donations.models import Receipt
from grants.models import ApplicationMessage
from grants.review.models import ReviewScore
from portal import roles
from portal.audit import audit
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.grants_extra import complete, draft_for, round_with_form
from tests.factories.review import AssignmentFactory, CriterionFactory, PanelMemberFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def give_data(user, n, *, donor=None):
    """The n-th application, message, review and gift of `user`; returns the donor record."""
    application, _owner = draft_for(round_with_form(), user=user)
    complete(application)
    application.answers["problem"] = f"Kits do not reach people who use alone ({n})."
    application.save()
    ApplicationMessage.objects.create(application=application, author=user, body=f"Our reply number {n}")
    audit(application, "grants.application.start", user=user)

    member = PanelMemberFactory(user=user)
    review = ReviewFactory(
        assignment=AssignmentFactory(member=member), comment_to_staff=f"Strong peer work {n}", status="draft"
    )
    criterion = CriterionFactory()
    ReviewScore.objects.create(review=review, criterion=criterion, score=4, comment=f"Score note {n}")

    donor = donor or DonorFactory(user=user, name="Rosa Diaz", email=user.email, address_line1="7 Mill Lane")
    donation = DonationFactory(donor=donor, amount="75.00")
    Receipt.objects.create(
        donation=donation,
        jurisdiction="US",
        year=2026,
        number=n,
        serial=f"US-2026-{n:05d}",
        amount=donation.amount,
        eligible_amount=donation.amount,
        issued_at=timezone.now(),
    )
    return donor


@pytest.fixture
def person(mfa_user_factory):
    return mfa_user_factory(roles.APPLICANT, roles.REVIEWER, first_name="Rosa", last_name="Diaz")


def test_person_downloads_everything_held_about_them_as_json(client, login, person, mfa_user_factory):
    give_data(person, 1)
    stranger = mfa_user_factory(roles.APPLICANT, mfa=False)
    give_data(stranger, 2)
    login(person)

    response = client.get("/dashboard/my-data/download.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    sections = data["sections"]

    assert sections["profile"][0]["email"] == person.email
    assert sections["profile"][0]["last_name"] == "Diaz"
    assert sorted(sections["profile"][0]["roles"]) == [roles.APPLICANT, roles.REVIEWER]
    assert [m["role"] for m in sections["memberships"]] == ["Owner"]
    [application] = sections["applications"]
    answers = {a["question"]: a["answer"] for a in application["answers"]}
    assert answers["What problem will you address?"] == "Kits do not reach people who use alone (1)."
    assert [m["message"] for m in sections["application_messages"]] == ["Our reply number 1"]
    [review] = sections["reviews"]
    assert review["comment_to_staff"] == "Strong peer work 1"
    assert review["scores"][0]["comment"] == "Score note 1"
    assert sections["donor"][0]["address"].startswith("7 Mill Lane")
    [donation] = sections["donations"]
    assert donation["amount"] == "75.00"
    assert [r["serial"] for r in donation["receipts"]] == ["US-2026-00001"]
    actions = [entry["action"] for entry in sections["audit_entries"]]
    assert "grants.application.start" in actions

    # Nothing about anyone else.
    assert stranger.email not in response.content.decode()
    assert "(2)" not in response.content.decode()
    assert "US-2026-00002" not in response.content.decode()


def test_person_downloads_a_readable_pdf(client, login, person):
    give_data(person, 1)
    login(person)
    response = client.get("/dashboard/my-data/download.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in [
        person.email,
        "Your organisations",
        "Kits do not reach people who use alone (1).",
        "Strong peer work 1",
        "US-2026-00001",
        "7 Mill Lane",
        "Our reply number 1",
    ]:
        assert expected in text, expected


def test_download_is_audited(client, login, person):
    login(person)
    client.get("/dashboard/my-data/download.json")
    data = json.loads(client.get("/dashboard/my-data/download.json").content)
    assert "portal.personal_data.download" in [entry["action"] for entry in data["sections"]["audit_entries"]]


def test_query_count_does_not_grow_with_the_data(client, login, person):
    donor = give_data(person, 1)
    login(person)
    client.get("/dashboard/my-data/download.json")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/my-data/download.json")
    for n in range(2, 6):
        give_data(person, n, donor=donor)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/dashboard/my-data/download.json")
    assert len(json.loads(response.content)["sections"]["applications"]) == 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_dashboard_links_to_the_download_and_it_needs_sign_in(client, login, person):
    assert client.get("/dashboard/my-data/download.json")["Location"].startswith("/accounts/login/")
    login(person)
    assert b'href="/dashboard/my-data/"' in client.get("/dashboard/").content
    page = client.get("/dashboard/my-data/")
    assert b'href="/dashboard/my-data/download.pdf"' in page.content
    assert b'href="/dashboard/my-data/download.json"' in page.content


def test_pdf_of_answers_longer_than_a_page_still_renders(client, login, person):
    application, _owner = draft_for(round_with_form(), user=person)
    complete(application)
    application.answers["problem"] = "Naloxone reaches too few people. " * 600
    application.save()
    login(person)
    response = client.get("/dashboard/my-data/download.pdf")
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 3
