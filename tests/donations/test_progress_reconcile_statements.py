"""Public campaign totals and their signal, reconciliation after a webhook outage, and the annual statement run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from fund.donations.models import StatementRun, StripeEvent
from fund.donations.selectors import campaign_progress, recent_public_gifts
from fund.donations.signals import campaign_totals_changed
from fund.models import LedgerTransaction
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db


def test_campaign_progress_counts_received_gifts_net_of_refunds(django_assert_num_queries):
    campaign = CampaignFactory(goal=Decimal("1000.00"), ends_at=timezone.now() + timedelta(days=10, hours=1))
    donor = DonorFactory()
    DonationFactory(campaign=campaign, fund=campaign.fund, donor=donor, amount=Decimal("300.00"))
    DonationFactory(
        campaign=campaign,
        fund=campaign.fund,
        donor=donor,
        amount=Decimal("100.00"),
        refunded_amount=Decimal("100.00"),
        status="refunded",
    )
    DonationFactory(
        campaign=campaign,
        fund=campaign.fund,
        amount=Decimal("50.00"),
        refunded_amount=Decimal("20.00"),
        status="partially_refunded",
    )
    DonationFactory(campaign=campaign, fund=campaign.fund, amount=Decimal("999.00"), status="pending")
    DonationFactory(fund=campaign.fund, amount=Decimal("77.00"))  # general fund
    with django_assert_num_queries(1):
        progress = campaign_progress(campaign)
    assert progress == {
        "raised": Decimal("330.00"),
        "donors": 2,
        "goal": Decimal("1000.00"),
        "percent": 33,
        "days_left": 10,
        "currency": "USD",
    }


def test_anonymous_donors_are_never_named_publicly():
    campaign = CampaignFactory()
    DonationFactory(
        campaign=campaign,
        fund=campaign.fund,
        donor=DonorFactory(name="Secret Sam"),
        donor_name="Secret Sam",
        anonymous=True,
    )
    DonationFactory(campaign=campaign, fund=campaign.fund, donor=DonorFactory(name="Open Olu"), donor_name="Open Olu")
    names = [g["name"] for g in recent_public_gifts(campaign=campaign)]
    assert "Secret Sam" not in names and "Open Olu" in names and None in names


def test_totals_signal_is_sent_after_commit_with_the_campaign(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    received = []

    def listener(sender, campaign, **kwargs):
        received.append(campaign)

    campaign_totals_changed.connect(listener)
    try:
        donation, session = start_gift(campaign.fund, campaign=campaign)
        completed = fake_stripe.complete_session(session["id"])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            post_event(fake_stripe.event("checkout.session.completed", completed))
        assert received == []  # nothing before commit
        for callback in callbacks:
            callback()
        assert campaign in received
    finally:
        campaign_totals_changed.disconnect(listener)


def test_reconcile_records_gifts_missed_during_a_webhook_outage_exactly_once(
    fake_stripe, start_gift, django_capture_on_commit_callbacks, capsys
):
    fund = FundFactory()
    missed, session = start_gift(fund, gift="45.00")
    completed = fake_stripe.complete_session(session["id"])
    fake_stripe.event("checkout.session.completed", completed)  # Stripe has it; we never received it
    abandoned, _s = start_gift(fund, gift="10.00", email="other@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("stripe_reconcile", "--days", "1")
        call_command("stripe_reconcile", "--days", "1")
    out = capsys.readouterr().out
    assert "recorded 1 missed gifts" in out
    assert "recorded 0 missed gifts" in out
    missed.refresh_from_db()
    abandoned.refresh_from_db()
    assert missed.status == "succeeded" and abandoned.status == "pending"
    assert LedgerTransaction.objects.filter(kind="donation").count() == 1
    assert StripeEvent.objects.get().processed_at is not None
    assert len([m for m in mail.outbox if "receipt" in m.subject.lower()]) == 1
    assert fake_stripe.captured("GET", "/v1/checkout/sessions") and fake_stripe.captured("GET", "/v1/events")


def test_reconcile_reports_a_paid_session_with_no_donation(fake_stripe, capsys):
    fake_stripe.create_session(
        {"line_items": [{"price_data": {"unit_amount": "100", "currency": "usd"}}], "client_reference_id": "999999"}
    )
    sid = list(fake_stripe.sessions)[0]
    fake_stripe.complete_session(sid)
    call_command("stripe_reconcile")
    assert f"DISCREPANCY: Session {sid} was paid but matches no donation" in capsys.readouterr().out


def test_issue_annual_statements_emails_each_donor_of_the_year_with_progress(django_capture_on_commit_callbacks):
    year = timezone.now().year
    fund = FundFactory()
    a, b = DonorFactory(), DonorFactory()
    DonationFactory(donor=a, fund=fund)
    DonationFactory(donor=a, fund=fund)
    DonationFactory(donor=b, fund=fund)
    DonationFactory(fund=fund, status="pending", received_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_annual_statements", "--year", str(year))
    run = StatementRun.objects.get()
    assert (run.status, run.total, run.done, run.percent) == ("done", 2, 2, 100)
    statements = [m for m in mail.outbox if "statement" in m.subject.lower()]
    assert sorted(m.to[0] for m in statements) == sorted([a.email, b.email])
    assert statements[0].attachments[0][2] == "application/pdf"


@pytest.mark.parametrize("year", ["-1", "0", "1999", "99999"])
def test_issue_annual_statements_refuses_an_impossible_year_with_a_clear_message(year):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 2000 and"):
        call_command("issue_annual_statements", "--year", year)
    assert StatementRun.objects.count() == 0


def test_issue_annual_statements_refuses_a_year_that_is_not_a_number():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--year abc: Choose a year between 2000 and"):
        call_command("issue_annual_statements", "--year", "abc")
    assert StatementRun.objects.count() == 0


def _statement_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _total_lines(text: str) -> list[str]:
    """Each "Total" label with the amount drawn beside it (pypdf gives each drawn string its own line)."""
    lines = text.splitlines()
    return [f"{label} {lines[i + 1]}" for i, label in enumerate(lines) if label.startswith("Total")]


def test_statement_totals_each_currency_separately():
    from datetime import date

    from fund.donations.statements import statement_pdf

    donor = DonorFactory()
    usd, cad = FundFactory(currency="USD"), FundFactory(currency="CAD", jurisdiction="CA")
    gifts = [
        DonationFactory(donor=donor, fund=usd, amount=Decimal("100.00")),
        DonationFactory(donor=donor, fund=cad, currency="CAD", amount=Decimal("40.00")),
        DonationFactory(donor=donor, fund=usd, amount=Decimal("25.00")),
    ]
    year = timezone.now().year
    text = _statement_text(statement_pdf(donor, start=date(year, 1, 1), end=date(year, 12, 31), gifts=gifts))
    assert _total_lines(text) == ["Total (USD) $125.00", "Total (CAD) $40.00"]
    assert "$165.00" not in text


def test_statement_in_one_currency_has_one_plain_total():
    from datetime import date

    from fund.donations.statements import statement_pdf

    donor = DonorFactory()
    gifts = [
        DonationFactory(donor=donor, amount=Decimal("100.00")),
        DonationFactory(donor=donor, amount=Decimal("25.00")),
    ]
    year = timezone.now().year
    text = _statement_text(statement_pdf(donor, start=date(year, 1, 1), end=date(year, 12, 31), gifts=gifts))
    assert _total_lines(text) == ["Total $125.00"]


def test_long_statement_rows_stay_above_the_footnote_and_totals_come_last():
    import io
    from datetime import date

    from pypdf import PdfReader
    from reportlab.lib.units import mm

    from fund.donations.statements import statement_pdf

    donor = DonorFactory(address_line2="Flat 2")
    gifts = [DonationFactory(donor=donor, amount=Decimal("10.00")) for _ in range(40)]
    gifts += [DonationFactory(donor=donor, currency="CAD", amount=Decimal("5.00")) for _ in range(5)]
    year = timezone.now().year
    pdf = statement_pdf(donor, start=date(year, 1, 1), end=date(year, 12, 31), gifts=gifts)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    footnote_y = 18 * mm
    for page in reader.pages:
        heights = []
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size, heights=heights: (
                heights.append(tm[5]) if text.strip() else None
            )
        )
        body = [y for y in heights if y > footnote_y + 1]  # everything but the footnote and the page number
        assert min(body) > footnote_y + 5 * mm
    assert _total_lines(_statement_text(pdf)) == ["Total (USD) $400.00", "Total (CAD) $25.00"]


def test_us_statement_describes_a_gift_of_securities_without_a_value_and_leaves_it_out_of_the_total():
    from datetime import date

    from fund.donations.statements import statement_pdf

    donor = DonorFactory()
    fund = FundFactory(jurisdiction="US")
    gifts = [
        DonationFactory(donor=donor, fund=fund, amount=Decimal("100.00")),
        DonationFactory(
            donor=donor, fund=fund, amount=Decimal("8000.00"), method="stock", description="100 shares of Example Corp"
        ),
    ]
    year = timezone.now().year
    text = _statement_text(statement_pdf(donor, start=date(year, 1, 1), end=date(year, 12, 31), gifts=gifts))
    assert _total_lines(text) == ["Total $100.00"]
    assert "8,000" not in text and "Securities" in text
    assert "listed without a value" in text
