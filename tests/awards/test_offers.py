"""Offer prepared, then sent: an approval records the decision and the approved amount and commits the money, but no
offer reaches the grantee until staff review it and send it (one by one or as a batch), after a confirmation page.
Every email that follows (revised, declined, expired, terminated) links through the site's configured base URL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fund.selectors import fund_balances
from grants.awards.models import Award
from grants.awards.offers import award_send_offer
from grants.awards.services import (
    award_decline,
    award_expire,
    award_revise_offer,
    award_terminate,
)
from grants.review.decisions import decision_make
from tests.factories.applicants import MembershipFactory
from tests.factories.awards import ApprovedApplicationFactory, grantee_owner, make_award
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(funding_round):
    application = ApplicationFactory(round=funding_round, status="in_review", requested_amount=Decimal("20000.00"))
    return application


@pytest.fixture
def people(in_review):
    owner = grantee_owner(in_review.organisation, first_name="Rosa", last_name="Delgado", email="rosa@group.example")
    colleague = MembershipFactory(
        organisation=in_review.organisation, user__email="sam@group.example", role="member"
    ).user
    quiet = MembershipFactory(
        organisation=in_review.organisation, user__email="quiet@group.example", role="member", decision_emails=False
    ).user
    return owner, colleague, quiet


def test_approval_prepares_the_award_and_commits_money_but_sends_no_offer(
    client, in_review, people, staff, fund, django_capture_on_commit_callbacks
):
    owner, _colleague, _quiet = people
    with django_capture_on_commit_callbacks(execute=True):
        decision_make(application=in_review, outcome="approve", amount=Decimal("15000.00"), by=staff)

    award = Award.objects.get(application=in_review)
    assert (award.status, award.amount, award.offered_at, award.offer_expires_on) == (
        Award.Status.PREPARED,
        Decimal("15000.00"),
        None,
        None,
    )
    assert fund_balances(fund)["committed"] == Decimal("15000.00")
    # Proposed from the round's plan for staff to review, never the whole award on the day.
    assert list(award.tranches.values_list("amount", "condition")) == [
        (Decimal("7500.00"), "on_acceptance"),
        (Decimal("7500.00"), "on_report_approval"),
    ]
    # Only the decision letter went out, to the members who want decision emails.
    assert [sorted(m.to) for m in mail.outbox] == [["rosa@group.example", "sam@group.example"]]
    assert "Decision on your application" in mail.outbox[0].subject
    client.force_login(owner)
    assert client.get(reverse("awards:award_detail", args=[award.pk])).status_code == 404
    assert list(client.get(reverse("awards:award_list")).context["page"].object_list) == []


def test_staff_send_the_offer_after_a_page_that_restates_it(
    client, in_review, people, staff, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://fund.example.org/"
    decision_make(application=in_review, outcome="approve", amount=Decimal("15000.00"), by=staff)
    award = Award.objects.get(application=in_review)
    url = reverse("awards_admin:award_send_offer", args=[award.pk])
    client.force_login(staff)

    page = client.get(url)
    content = page.content.decode()
    assert "Send the offer for" in content and "$15,000.00" in content
    assert "on approval of report 1" in content and "can accept or decline online until" in content
    assert Award.objects.get(pk=award.pk).status == Award.Status.PREPARED  # looking changes nothing

    expires = timezone.localdate() + timedelta(days=20)
    past = client.post(url, {"confirmed": "yes", "offer_expires_on": "2020-01-01"})
    assert past.status_code == 200 and "Choose a date from today on." in past.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirmed": "yes", "offer_expires_on": expires.isoformat()})

    award.refresh_from_db()
    assert (award.status, award.offer_expires_on, award.offered_by) == (Award.Status.OFFERED, expires, staff)
    (offer,) = mail.outbox
    assert sorted(offer.to) == ["rosa@group.example", "sam@group.example"]
    assert offer.attachments[0][2] == "application/pdf"
    assert f"https://fund.example.org/awards/{award.pk}/" in offer.body
    assert "127.0.0.1" not in offer.body and ":8000" not in offer.body
    client.force_login(people[0])
    assert client.get(reverse("awards:award_detail", args=[award.pk])).status_code == 200


def test_a_batch_of_prepared_offers_is_sent_from_one_page(client, funding_round, staff, fund):
    awards = []
    for _ in range(3):
        application = ApplicationFactory(round=funding_round, status="in_review", requested_amount=Decimal("1000.00"))
        grantee_owner(application.organisation)
        decision_make(application=application, outcome="approve", amount=Decimal("1000.00"), by=staff)
        awards.append(Award.objects.get(application=application))
    url = reverse("awards_admin:offer_send_batch")
    client.force_login(staff)
    listing = client.get(url, {"round": funding_round.pk})
    assert listing.status_code == 200 and len(listing.context["rows"]) == 3

    chosen = {"awards": [awards[0].pk, awards[1].pk], "offer_expires_on": timezone.localdate().isoformat()}
    confirm = client.post(url, chosen)
    assert "Send 2 offers?" in confirm.content.decode() and "$2,000.00" in confirm.content.decode()
    assert not Award.objects.filter(status=Award.Status.OFFERED).exists()
    client.post(url, {**chosen, "confirmed": "yes"})

    assert list(Award.objects.order_by("pk").values_list("status", flat=True)) == ["offered", "offered", "prepared"]


def test_revising_a_sent_offer_tells_the_owners(application, owner, staff, django_capture_on_commit_callbacks):
    award = make_award(application=application, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        award_revise_offer(award=award, by=staff, amount=Decimal("8000.00"))
    (email,) = mail.outbox
    assert email.to == [owner.email] and "has changed" in email.subject and "$8,000.00" in email.body


def test_declining_tells_staff_and_expiry_tells_the_grantee(
    application, owner, staff, funding_round, settings, django_capture_on_commit_callbacks
):
    award = make_award(application=application, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        award_decline(award=award, by=owner, reason="Board said no")
    (declined,) = mail.outbox
    assert set(declined.to) == {settings.STAFF_NOTIFICATION_EMAIL, staff.email}
    assert "Board said no" in declined.body and f"/admin/money/awards/{award.pk}/" in declined.body

    mail.outbox.clear()
    other = ApprovedApplicationFactory(round=funding_round, organisation=application.organisation)
    lapsing = make_award(application=other, by=staff, offer_expires_on=timezone.localdate() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        award_expire(award=lapsing)
    (expired,) = mail.outbox
    assert owner.email in expired.to and "has expired" in expired.body


def test_terminating_tells_the_grantee_but_withdrawing_an_unsent_offer_does_not(
    application, owner, staff, funding_round, django_capture_on_commit_callbacks
):
    award = make_award(application=application, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        award_terminate(award=award, by=staff, reason="Programme closed")
    (email,) = mail.outbox
    assert owner.email in email.to and "Programme closed" in email.body

    mail.outbox.clear()
    decision_application = ApprovedApplicationFactory(round=funding_round)
    from grants.awards.offers import award_prepare

    prepared = award_prepare(application=decision_application, amount=Decimal("500.00"), by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        award_terminate(award=prepared, by=staff, reason="Approved by mistake")
    assert mail.outbox == []
    assert Award.objects.get(pk=prepared.pk).status == Award.Status.TERMINATED


def test_terminating_asks_for_confirmation_first(client, application, staff):
    award = make_award(application=application, by=staff)
    url = reverse("awards_admin:award_terminate", args=[award.pk])
    client.force_login(staff)
    page = client.post(url, {"reason": "Programme closed"})
    assert "cannot be reopened" in page.content.decode() and "$10,000.00 that is not paid" in page.content.decode()
    assert Award.objects.get(pk=award.pk).status == Award.Status.OFFERED
    client.post(url, {"reason": "Programme closed", "confirmed": "yes"})
    assert Award.objects.get(pk=award.pk).status == Award.Status.TERMINATED


def test_the_grantee_declines_after_a_confirmation_page(client, application, owner, staff):
    award = make_award(application=application, by=staff)
    url = reverse("awards:award_decline", args=[award.pk])
    client.force_login(owner)
    page = client.post(url, {"reason": "Not this year"})
    assert "It cannot be accepted afterwards" in page.content.decode()
    assert Award.objects.get(pk=award.pk).status == Award.Status.OFFERED
    client.post(url, {"reason": "Not this year", "confirmed": "yes"})
    assert Award.objects.get(pk=award.pk).status == Award.Status.DECLINED


def test_sending_an_offer_twice_or_with_a_broken_schedule_is_refused(application, staff):
    award = make_award(application=application, by=staff)
    from grants.awards.services import AwardError

    with pytest.raises(AwardError, match="already been sent"):
        award_send_offer(award=award, by=staff)
