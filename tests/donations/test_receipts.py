"""Receipts per jurisdiction: the PDF's text carries every required field; serials never repeat or skip; cancel and replace."""

import io
from decimal import Decimal

import pytest
from django.core import mail
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


def test_us_receipt_is_an_irs_written_acknowledgement(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="US", legal_name="Millbrook Community Foundation", charity_number="12-3456789")
    donation, receipt = issue(django_capture_on_commit_callbacks, fund=fund, amount=Decimal("250.00"),
                              donor=DonorFactory(name="Ada Lovelace"))
    text = pdf_text(receipt)
    for expected in ["Contribution acknowledgement", "Millbrook Community Foundation", "12-3456789", "Ada Lovelace",
                     "$250.00", receipt.serial, donation.received_at.date().isoformat(),
                     "No goods or services were provided in exchange for this contribution", "501(c)(3)", "Jamie Ortiz"]:
        assert expected in text, expected
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == f"receipt-{receipt.serial}.pdf"


def test_us_receipt_states_value_of_goods_when_there_was_an_advantage(django_capture_on_commit_callbacks):
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=FundFactory(), amount=Decimal("150.00"),
                               advantage_amount=Decimal("40.00"))
    text = pdf_text(receipt)
    assert "estimated fair market value of $40.00" in text
    assert "$110.00" in text
    assert "No goods or services" not in text


def test_us_stock_receipt_describes_the_gift_without_a_value(django_capture_on_commit_callbacks):
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=FundFactory(), amount=Decimal("12000.00"),
                               method="stock", description="100 shares of Example Corp (EXMP)")
    text = pdf_text(receipt)
    assert "100 shares of Example Corp (EXMP)" in text
    assert "12,000.00" not in text


def test_canadian_receipt_has_every_cra_required_field(django_capture_on_commit_callbacks, settings):
    fund = FundFactory(jurisdiction="CA", currency="CAD", legal_name="Millbrook Resilience Society",
                       charity_number="123456789RR0001", address="200 King Street\nMillbrook, ON K1A 0B1")
    donor = DonorFactory(name="Grace Hopper", address_line1="5 Oak Avenue", city="Millbrook", region="ON", postal_code="K1A 0B2")
    donation, receipt = issue(django_capture_on_commit_callbacks, fund=fund, donor=donor, currency="CAD",
                              amount=Decimal("500.00"), advantage_amount=Decimal("75.00"))
    text = pdf_text(receipt)
    required = [
        "Official receipt for income tax purposes", "Millbrook Resilience Society", "200 King Street",
        "123456789RR0001", receipt.serial, "Place of issue", "Millbrook, ON K1A 0B1", "Grace Hopper", "5 Oak Avenue",
        "Date donation received", donation.received_at.date().isoformat(), "Date receipt issued",
        "Total amount received", "$500.00", "Value of advantage", "$75.00",
        "Eligible amount of gift for tax purposes", "$425.00", "Signature of authorized individual", "Jamie Ortiz",
        "canada.ca/charities-giving",
    ]
    for expected in required:
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


def test_uk_receipt_notes_gift_aid_declaration(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="UK", currency="GBP", legal_name="Millbrook Trust", charity_number="1234567")
    _donation, receipt = issue(
        django_capture_on_commit_callbacks, fund=fund, currency="GBP", amount=Decimal("20.00"), gift_aid=True,
        gift_aid_declaration="I want to Gift Aid my donation ... I am a UK taxpayer",
    )
    text = pdf_text(receipt)
    for expected in ["Donation receipt", "Millbrook Trust", "1234567", "£20.00", "Gift Aid: you declared",
                     "25p for every £1", "I am a UK taxpayer", receipt.serial]:
        assert expected in text, expected


def test_uk_receipt_without_gift_aid_says_so(django_capture_on_commit_callbacks):
    fund = FundFactory(jurisdiction="UK", currency="GBP")
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=fund, currency="GBP")
    assert "Gift Aid: not declared" in pdf_text(receipt)


def test_receipt_is_issued_once_per_donation_and_serials_are_per_jurisdiction_and_year(django_capture_on_commit_callbacks):
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
