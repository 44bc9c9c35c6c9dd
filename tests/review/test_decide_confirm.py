"""Deciding is never one click: the single and batch decisions are restated on a page first, which warns and names the
reviewers whose assigned reviews are not in; a batch approval asks the amount of each row (the request by default)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from grants.awards.models import Award
from grants.review.models import Assignment, Decision
from grants.review.services import conflict_declare, review_save
from tests.factories.applicants import MembershipFactory
from tests.factories.awards import fund_with_money
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded_round(review_round):
    fund_with_money(review_round.fund, "100000.00")
    return review_round


def _app(funded_round, amount="20000.00"):
    app = ApplicationFactory(round=funded_round, status="in_review", requested_amount=Decimal(amount))
    MembershipFactory(organisation=app.organisation)
    return app


def _assign(application, first, last, *, submit):
    member = PanelMemberFactory(panel=application.round.panel, user__first_name=first, user__last_name=last)
    assignment = Assignment.objects.create(application=application, member=member)
    if submit:
        conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
        review_save(
            assignment=assignment,
            by=member.user,
            recommendation="fund",
            submit=True,
            scores={c.pk: {"score": 4} for c in application.round.rubric.criteria.all()},
        )
    return assignment


def test_deciding_with_reviews_missing_warns_and_names_the_reviewers(client, staff_user, funded_round):
    application = _app(funded_round)
    _assign(application, "Tasha", "Greene", submit=True)
    _assign(application, "Owen", "Park", submit=False)
    _assign(application, "Helen", "Osei", submit=False)
    client.force_login(staff_user)

    results = client.get(reverse("review_admin:application", args=[application.pk])).content.decode()
    assert (
        "Owen Park, Helen Osei have not submitted" in results or "Helen Osei, Owen Park have not submitted" in results
    )
    page = client.post(
        reverse("review_admin:decide", args=[application.pk]), {"outcome": "approve", "amount": "18000"}
    ).content.decode()

    assert "Helen Osei and Owen Park have not submitted their reviews" in page
    assert "Tasha Greene" not in page
    assert "$18,000.00 of the fund&#x27;s money is committed now" in page
    assert "The offer is not sent yet" in page
    assert not Decision.objects.exists() and mail.outbox == []


def test_confirming_an_approval_leads_to_the_prepared_offer(
    client, staff_user, funded_round, django_capture_on_commit_callbacks
):
    application = _app(funded_round)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review_admin:decide", args=[application.pk]),
            {"outcome": "approve", "amount": "18000", "confirmed": "yes"},
        )
    award = Award.objects.get(application=application)
    assert response["Location"] == reverse("awards_admin:award_detail", args=[award.pk])
    assert award.status == Award.Status.PREPARED and award.amount == Decimal("18000.00")
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments  # the decision letter, not an offer


def test_a_batch_approval_asks_the_amount_of_each_row_defaulting_to_the_request(client, staff_user, funded_round):
    first, second = _app(funded_round, "20000.00"), _app(funded_round, "15000.00")
    _assign(second, "Owen", "Park", submit=False)
    url = reverse("review_admin:decide_batch", args=[funded_round.pk])
    client.force_login(staff_user)
    selection = {"applications": [first.pk, second.pk], "outcome": "approve", "message": "Well done"}

    page = client.post(url, selection)
    assert page.status_code == 200
    content = page.content.decode()
    assert f'name="amount-{first.pk}" id="amount-{first.pk}" value="20000.00"' in content
    assert f'name="amount-{second.pk}" id="amount-{second.pk}" value="15000.00"' in content
    assert "Owen Park" in content and "$35,000.00" in content
    assert not Decision.objects.exists()

    too_much = client.post(url, {**selection, "confirmed": "yes", f"amount-{first.pk}": "20000.01"})
    assert too_much.status_code == 400
    assert "The amount cannot be more than the amount requested." in too_much.content.decode()
    assert not Decision.objects.exists()

    client.post(
        url, {**selection, "confirmed": "yes", f"amount-{first.pk}": "12,500", f"amount-{second.pk}": "15000.00"}
    )
    amounts = dict(Decision.objects.values_list("application_id", "amount"))
    assert amounts == {first.pk: Decimal("12500.00"), second.pk: Decimal("15000.00")}
    assert set(Award.objects.values_list("status", flat=True)) == {Award.Status.PREPARED}


def test_a_batch_decline_is_restated_before_it_happens(client, staff_user, funded_round):
    application = _app(funded_round)
    url = reverse("review_admin:decide_batch", args=[funded_round.pk])
    client.force_login(staff_user)
    page = client.post(url, {"applications": [application.pk], "outcome": "decline"})
    assert "This cannot be undone" in page.content.decode() and "amount-" not in page.content.decode()
    application.refresh_from_db()
    assert application.status == "in_review"
    client.post(url, {"applications": [application.pk], "outcome": "decline", "confirmed": "yes"})
    application.refresh_from_db()
    assert application.status == "declined"


def test_nonsense_input_to_the_decision_screens_is_never_a_500(client, staff_user, funded_round):
    application = _app(funded_round)
    client.force_login(staff_user)
    decide = reverse("review_admin:decide", args=[application.pk])
    for data in ({}, {"outcome": "maybe"}, {"outcome": "approve", "amount": "lots"}, {"outcome": "approve"}):
        assert client.post(decide, {**data, "confirmed": "yes"}).status_code == 302
    batch = reverse("review_admin:decide_batch", args=[funded_round.pk])
    assert client.post(batch, {"applications": ["x"], "outcome": "approve"}).status_code == 302
    bad_amount = client.post(
        batch,
        {"applications": [application.pk], "outcome": "approve", "confirmed": "yes", f"amount-{application.pk}": "x"},
    )
    assert bad_amount.status_code == 400
    assert not Decision.objects.exists()
