"""Receipts per jurisdiction: the PDF's text carries every required field; serials never repeat or skip; cancel and replace."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from fund.donations.receipts import receipt_cancel_and_replace, receipt_issue_for_donation, receipt_pdf
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


def pdf_text(receipt) -> str:
    receipt.pdf.open("rb")
    data = receipt.pdf.read()
    receipt.pdf.close()
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def issue(django_capture_on_commit_callbacks, **kwargs):
    donation = DonationFactory(**kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        receipt = receipt_issue_for_donation(donation=donation)
    return donation, receipt


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def test_us_receipt_is_an_irs_written_acknowledgement(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="US", legal_name="Millbrook Community Foundation", charity_number="12-3456789")
    donor = DonorFactory(
        name="Ada Lovelace", address_line1="7 Analytical Way", city="Millbrook", region="PA", postal_code="19001"
    )
    donation, receipt = issue(
        django_capture_on_commit_callbacks, fund=fund, amount=Decimal("250.00"), donor=donor, received_at=days_ago(20)
    )
    received, issued = (
        timezone.localdate(donation.received_at).isoformat(),
        timezone.localdate(receipt.issued_at).isoformat(),
    )
    assert received != issued  # so each date below is the one its label names
    text = pdf_text(receipt)
    # Each required field as "label value", as the receipt prints it (the letterhead repeats the name and EIN).
    for expected in [
        "Contribution acknowledgement",
        f"Receipt number {receipt.serial}",
        "Organisation Millbrook Community Foundation",
        "EIN 12-3456789",
        "Donor Ada Lovelace 7 Analytical Way Millbrook PA 19001",
        f"Date received {received}",
        f"Date issued {issued}",
        "Amount $250.00",
        f"gratefully acknowledges receipt from Ada Lovelace, on {received}, of a contribution of $250.00",
        "No goods or services were provided in exchange for this contribution",
        "section 501(c)(3)",
        "Please keep this written acknowledgement for your tax records",
        "Jamie Ortiz, Executive Director",
    ]:
        assert expected in text, expected
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == f"receipt-{receipt.serial}.pdf"


def test_us_receipt_states_value_of_goods_when_there_was_an_advantage(django_capture_on_commit_callbacks):
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=FundFactory(),
        amount=Decimal("150.00"),
        advantage_amount=Decimal("40.00"),
    )
    text = pdf_text(receipt)
    assert "estimated fair market value of $40.00" in text
    assert "$110.00" in text
    assert "No goods or services" not in text


def test_us_stock_receipt_describes_the_gift_without_a_value(django_capture_on_commit_callbacks):
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=FundFactory(),
        amount=Decimal("12000.00"),
        method="stock",
        description="100 shares of Example Corp (EXMP)",
    )
    text = pdf_text(receipt)
    assert (
        "of a contribution of 100 shares of Example Corp (EXMP) (non-cash; the charity does not state its value)"
        in text
    )
    assert "Amount Not stated (non-cash gift)" in text
    assert "12,000" not in text and "12000" not in text
    # The email that carries it states no value either.
    (email,) = mail.outbox
    assert "100 shares of Example Corp (EXMP)" in email.body
    assert "12,000" not in email.body and "12000" not in email.body
    assert "12,000" not in email.alternatives[0][0]


def test_us_stock_receipt_with_an_advantage_states_its_value_but_no_deductible_amount(
    django_capture_on_commit_callbacks,
):
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=FundFactory(),
        amount=Decimal("12000.00"),
        advantage_amount=Decimal("40.00"),
        method="stock",
        description="100 shares of EXMP",
    )
    text = pdf_text(receipt)
    assert "estimated fair market value of $40.00" in text
    assert "excess of the value of the property you contributed over that value" in text
    assert "11,960" not in text and "12,000" not in text


def ca_fund():
    return FundFactory(
        jurisdiction="CA",
        currency="CAD",
        legal_name="Millbrook Resilience Society",
        charity_number="123456789RR0001",
        address="200 King Street\nMillbrook, ON K1A 0B1",
    )


def ca_donor():
    return DonorFactory(
        name="Grace Hopper", address_line1="5 Oak Avenue", city="Millbrook", region="ON", postal_code="K1A 0B2"
    )


def test_canadian_receipt_has_every_cra_required_field(django_capture_on_commit_callbacks):
    donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=ca_fund(),
        donor=ca_donor(),
        currency="CAD",
        amount=Decimal("500.00"),
        advantage_amount=Decimal("75.00"),
        received_at=days_ago(20),
    )
    received, issued = (
        timezone.localdate(donation.received_at).isoformat(),
        timezone.localdate(receipt.issued_at).isoformat(),
    )
    assert received != issued
    text = pdf_text(receipt)
    required = [
        "Official receipt for income tax purposes",
        f"Receipt serial number {receipt.serial}",
        "Charity Millbrook Resilience Society",
        "Charity address 200 King Street Millbrook, ON K1A 0B1",
        "Charitable registration number (BN) 123456789RR0001",
        "Place of issue Millbrook, ON K1A 0B1",
        "Donor name and address Grace Hopper 5 Oak Avenue Millbrook ON K1A 0B2",
        f"Date donation received {received}",
        f"Date receipt issued {issued}",
        "Total amount received $500.00",
        "Value of advantage $75.00",
        "Eligible amount of gift for tax purposes $425.00",
        "Signature of authorized individual: Jamie Ortiz, Executive Director",
        "Canada Revenue Agency: www.canada.ca/charities-giving",
    ]
    for expected in required:
        assert expected in text, expected
    assert "Description of property" not in text and "Fair market value" not in text


def test_canadian_receipt_place_of_issue_can_be_set(django_capture_on_commit_callbacks, settings):
    settings.DONATION_RECEIPT_PLACE_OF_ISSUE = "Ottawa, ON"
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=ca_fund(), currency="CAD")
    assert "Place of issue Ottawa, ON" in pdf_text(receipt)


def test_canadian_receipt_for_listed_shares_states_fair_market_value_as_the_eligible_amount(
    django_capture_on_commit_callbacks,
):
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=ca_fund(),
        donor=ca_donor(),
        currency="CAD",
        amount=Decimal("12000.00"),
        method="stock",
        description="100 shares of Example Corp (TSX: EXM)",
    )
    text = pdf_text(receipt)
    for expected in [
        "Description of property received 100 shares of Example Corp (TSX: EXM)",
        "Fair market value of property received $12,000.00",
        "Value of advantage $0.00",
        "Eligible amount of gift for tax purposes $12,000.00",
        "www.canada.ca/charities-giving",
    ]:
        assert expected in text, expected
    # Publicly traded securities need no appraisal; a cash-style "amount received" would misdescribe the gift.
    assert "Appraised by" not in text and "Total amount received" not in text


def test_canadian_receipt_for_appraised_property_names_the_appraiser(django_capture_on_commit_callbacks):
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=ca_fund(),
        donor=ca_donor(),
        currency="CAD",
        amount=Decimal("8000.00"),
        method="stock",
        description="2,000 shares of Millbrook Co-op Ltd. (private company)",
        appraised_value=Decimal("8000.00"),
        appraiser_name="Morgan Appraisals Ltd.",
        appraiser_address="9 Bay Street\nToronto, ON M5J 2N8",
    )
    text = pdf_text(receipt)
    for expected in [
        "Description of property received 2,000 shares of Millbrook Co-op Ltd. (private company)",
        "Fair market value of property received $8,000.00",
        "Appraised by Morgan Appraisals Ltd.",
        "Appraiser's address 9 Bay Street Toronto, ON M5J 2N8",
        "Eligible amount of gift for tax purposes $8,000.00",
    ]:
        assert expected in text, expected


def test_canadian_reissue_cancels_and_replaces_with_a_new_serial(django_capture_on_commit_callbacks, admin_user):
    fund = FundFactory(jurisdiction="CA", currency="CAD")
    _donation, first = issue(django_capture_on_commit_callbacks, fund=fund, currency="CAD")
    with django_capture_on_commit_callbacks(execute=True):
        second = receipt_cancel_and_replace(receipt=first, by=admin_user, reason="Donor's name misspelt")
    first.refresh_from_db()
    assert first.status == "cancelled" and first.cancel_reason == "Donor's name misspelt"
    assert second.replaces == first
    assert second.number == first.number + 1
    assert f"This cancels and replaces receipt #{first.serial}" in pdf_text(second)
    assert [m.subject for m in mail.outbox][-1].startswith("Your corrected receipt")


def uk_donor():
    return DonorFactory(
        name="Ada Byron",
        address_line1="3 Church Lane",
        city="Millbrook",
        region="Kent",
        postal_code="ME1 2AB",
        country="GB",
    )


def test_uk_receipt_notes_gift_aid_declaration(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="UK", currency="GBP", legal_name="Millbrook Trust", charity_number="1234567")
    donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=fund,
        currency="GBP",
        amount=Decimal("20.00"),
        gift_aid=True,
        gift_aid_declaration="I want to Gift Aid my donation ... I am a UK taxpayer",
        donor=uk_donor(),
        received_at=days_ago(3),
        gift_aid_declared_at=days_ago(3),
    )
    received = timezone.localdate(donation.received_at).isoformat()
    text = pdf_text(receipt)
    # Gift Aid needs the donor's home address and postcode on record: the receipt shows what was declared with.
    for expected in [
        "Donation receipt",
        f"Receipt number {receipt.serial}",
        "Charity Millbrook Trust",
        "Registered charity number 1234567",
        "Donor Ada Byron 3 Church Lane Millbrook Kent ME1 2AB",
        f"Date received {received}",
        "Amount £20.00",
        f"Gift Aid: you declared this gift eligible for Gift Aid on {received}",
        "25p for every £1",
        "Your declaration: I want to Gift Aid my donation ... I am a UK taxpayer",
        "Thank you. Jamie Ortiz, Executive Director",
    ]:
        assert expected in text, expected


def test_uk_receipt_for_shares_never_claims_gift_aid(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="UK", currency="GBP")
    # Even with a declaration on file (e.g. one made for earlier cash gifts).
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=fund,
        currency="GBP",
        amount=Decimal("3000.00"),
        method="stock",
        description="500 shares of Example plc (LSE: EXP)",
        donor=uk_donor(),
        gift_aid=True,
        gift_aid_declaration="I want to Gift Aid my donation ... I am a UK taxpayer",
    )
    text = pdf_text(receipt)
    assert "Gift 500 shares of Example plc (LSE: EXP)" in text
    assert "Value on the day given £3,000.00" in text
    assert "Gift Aid does not apply to gifts of shares or securities" in text
    assert "you declared" not in text and "25p" not in text and "I am a UK taxpayer" not in text


def test_uk_receipt_without_gift_aid_says_so(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="UK", currency="GBP")
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=fund, currency="GBP", donor=uk_donor())
    text = pdf_text(receipt)
    assert "Gift Aid: not declared" in text
    assert "Donor Ada Byron 3 Church Lane Millbrook Kent ME1 2AB" in text
    assert "25p" not in text and "Your declaration" not in text


def test_receipt_is_issued_once_per_donation_and_serials_are_per_jurisdiction_and_year(
    django_capture_on_commit_callbacks,
):
    us, ca = FundFactory(jurisdiction="US"), FundFactory(jurisdiction="CA", currency="CAD")
    d1, r1 = issue(django_capture_on_commit_callbacks, fund=us)
    assert receipt_issue_for_donation(donation=d1) == r1
    _d2, r2 = issue(django_capture_on_commit_callbacks, fund=us)
    _d3, r3 = issue(django_capture_on_commit_callbacks, fund=ca, currency="CAD")
    assert (r1.number, r2.number, r3.number) == (1, 2, 1)
    assert r3.serial.startswith("CA-")


def test_pending_donation_gets_no_receipt():
    donation = DonationFactory(status="pending", received_at=None)
    assert receipt_issue_for_donation(donation=donation) is None


def test_failed_pdf_rolls_back_the_serial(monkeypatch, django_capture_on_commit_callbacks):
    from fund.donations import receipts

    fund = FundFactory()
    donation = DonationFactory(fund=fund)
    monkeypatch.setattr(receipts, "receipt_pdf", lambda r: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        receipt_issue_for_donation(donation=donation)
    monkeypatch.setattr(receipts, "receipt_pdf", receipt_pdf)
    receipt = receipt_issue_for_donation(donation=donation)
    assert receipt.number == 1  # the failed attempt did not burn a number
