"""Receipts per language: a French-speaking donor of a Canadian fund gets an official receipt fully in French with the
CRA's official wording; an English receipt stays English; IRS and HMRC receipts keep their legal wording in English
whatever the donor's language."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.catalogues import compile_catalogues
from tests.donations.test_receipts import ca_donor, ca_fund, days_ago, issue, pdf_text
from tests.factories.donations import DonorFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def compiled_catalogues(settings, tmp_path):
    """The project's catalogues, compiled (translators keep only .po files in git)."""
    settings.LOCALE_PATHS = [compile_catalogues(tmp_path)]  # resets Django's loaded catalogues


def french_receipt(django_capture_on_commit_callbacks, **donor_fields):
    donor = ca_donor()
    for name, value in donor_fields.items():
        setattr(donor, name, value)
    donor.save()
    return issue(
        django_capture_on_commit_callbacks,
        fund=ca_fund(),
        donor=donor,
        currency="CAD",
        amount=Decimal("500.00"),
        advantage_amount=Decimal("75.00"),
        advantage_description="Dinner ticket",
        received_at=days_ago(20),
    )


def test_french_speaking_donor_gets_every_cra_field_in_french(django_capture_on_commit_callbacks):
    donation, receipt = french_receipt(django_capture_on_commit_callbacks, language="fr")
    received = timezone.localdate(donation.received_at).isoformat()
    issued = timezone.localdate(receipt.issued_at).isoformat()
    text = pdf_text(receipt)
    assert receipt.language == "fr"
    for expected in [
        "Reçu officiel aux fins de l'impôt sur le revenu",
        f"Numéro de série du reçu {receipt.serial}",
        "Nom de l'organisme de bienfaisance Millbrook Resilience Society",
        "Adresse de l'organisme de bienfaisance 200 King Street Millbrook, ON K1A 0B1",
        "Numéro d'enregistrement de l'organisme de bienfaisance 123456789RR0001",
        "Lieu de délivrance du reçu Millbrook, ON K1A 0B1",
        "Nom et adresse du donateur Grace Hopper 5 Oak Avenue Millbrook ON K1A 0B2",
        f"Date de réception du don {received}",
        f"Date de délivrance du reçu {issued}",
        "Montant total reçu",
        "Montant de l'avantage",
        "Description de l'avantage Dinner ticket",
        "Montant admissible du don aux fins de l'impôt",
        "Signature de la personne autorisée :",
        "Agence du revenu du Canada : www.canada.ca/organismes-bienfaisance-dons",
    ]:
        assert expected in text, expected
    for english in ("Official receipt", "Receipt serial number", "Eligible amount", "Canada Revenue Agency", "Charity"):
        assert english not in text, english


def test_french_receipt_of_a_gift_in_kind_and_its_replacement_are_in_french(django_capture_on_commit_callbacks):
    from fund.donations.receipts import receipt_cancel_and_replace

    donor = ca_donor()
    donor.language = "fr"
    donor.save()
    _donation, receipt = issue(
        django_capture_on_commit_callbacks,
        fund=ca_fund(),
        donor=donor,
        currency="CAD",
        amount=Decimal("1200.00"),
        method="stock",
        description="100 actions de Example Corp",
        appraiser_name="A. Évaluateur",
        appraiser_address="1 rue Principale",
    )
    text = pdf_text(receipt)
    for expected in [
        "Description des biens reçus 100 actions de Example Corp",
        "Juste valeur marchande des biens reçus",
        "Nom de l'évaluateur A. Évaluateur",
        "Adresse de l'évaluateur 1 rue Principale",
    ]:
        assert expected in text, expected
    with django_capture_on_commit_callbacks(execute=True):
        replacement = receipt_cancel_and_replace(receipt=receipt, by=None, reason="typo")
    assert f"Ce reçu annule et remplace le reçu nº {receipt.serial}." in pdf_text(replacement)


def test_a_french_fund_prints_french_receipts_for_donors_without_a_language(django_capture_on_commit_callbacks):
    fund = ca_fund()
    fund.language = "fr"
    fund.save()
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=fund, donor=ca_donor(), currency="CAD")
    assert "Reçu officiel aux fins de l'impôt sur le revenu" in pdf_text(receipt)


def test_donors_own_language_wins_over_the_funds(django_capture_on_commit_callbacks):
    fund = ca_fund()
    fund.language = "fr"
    fund.save()
    donor = ca_donor()
    donor.language = "en"
    donor.save()
    _donation, receipt = issue(django_capture_on_commit_callbacks, fund=fund, donor=donor, currency="CAD")
    text = pdf_text(receipt)
    assert "Official receipt for income tax purposes" in text
    assert "Reçu" not in text


def test_english_canadian_receipt_stays_english(django_capture_on_commit_callbacks):
    _donation, receipt = french_receipt(django_capture_on_commit_callbacks)
    text = pdf_text(receipt)
    assert receipt.language == "en"
    assert "Official receipt for income tax purposes" in text
    assert "Canada Revenue Agency: www.canada.ca/charities-giving" in text
    assert "Reçu" not in text and "Agence" not in text


@pytest.mark.parametrize("language", ["es", "fr"])
def test_irs_and_hmrc_receipts_keep_their_legal_wording_in_english(django_capture_on_commit_callbacks, language):
    us = FundFactory(jurisdiction="US", currency="USD", legal_name="Millbrook Community Resilience Fund", language="fr")
    uk = FundFactory(jurisdiction="UK", currency="GBP", legal_name="Millbrook Resilience Trust", language="fr")
    _d, us_receipt = issue(
        django_capture_on_commit_callbacks, fund=us, donor=DonorFactory(language=language), currency="USD"
    )
    _d, uk_receipt = issue(
        django_capture_on_commit_callbacks, fund=uk, donor=DonorFactory(language=language), currency="GBP"
    )
    assert us_receipt.language == uk_receipt.language == "en"
    us_text, uk_text = pdf_text(us_receipt), pdf_text(uk_receipt)
    assert "Contribution acknowledgement" in us_text
    assert "No goods or services were provided in exchange for this contribution." in us_text
    assert "tax-exempt organisation under section 501(c)(3) of the Internal Revenue Code" in us_text
    assert "Donation receipt" in uk_text
    assert "Registered charity number" in uk_text


def test_the_receipt_language_does_not_follow_the_request_language(django_capture_on_commit_callbacks):
    from django.utils import translation

    with translation.override("fr"):
        _d, receipt = issue(
            django_capture_on_commit_callbacks, fund=FundFactory(jurisdiction="US"), donor=DonorFactory()
        )
    assert "Contribution acknowledgement" in pdf_text(receipt)
