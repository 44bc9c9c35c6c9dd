"""The demo in several languages (DEMO.md "Languages"): the public site, the open call and its form in Spanish, and a
French-speaking donor of the Canadian fund with an official receipt in French."""

import io

import pytest
from pypdf import PdfReader
from wagtail.models import Page

from cms.models import Alert
from fund.donations.models import Receipt
from fund.models import Fund
from grants.models import FormQuestion, FundingRound

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_demo_has_the_public_site_and_the_open_call_in_spanish_and_a_french_cra_receipt(demo, client):

    spanish = set(Page.objects.filter(locale__language_code="es", live=True).values_list("url_path", flat=True))
    home = Page.objects.get(locale__language_code="es", depth=2).url_path
    for path in (
        "",
        "campaigns/naloxone-in-every-pocket/",
        "campaigns/peer-support-winter-appeal/",
        "funding/2026-community-led-response-grants/",
        "stories/familias-unidas-support-circle/",
        "about/",
    ):
        assert home + path in spanish, path
    assert Alert.objects.filter(locale__language_code="es").exists()

    open_call = FundingRound.objects.get(slug="2026-community-led-response-grants")
    assert not FormQuestion.objects.filter(round=open_call, label_es="").exists()
    assert all(q.text_es for q in open_call.eligibility_questions.all())
    assert open_call.form_versions.order_by("-number").first().definition[1]["translations"]["es"]["label"]

    fund = Fund.objects.get(slug="millbrook-resilience-society")
    assert (fund.currency, fund.jurisdiction) == ("CAD", "CA")
    receipt = Receipt.objects.get(donation__fund=fund)
    assert receipt.language == "fr" and receipt.donation.donor.language == "fr"
    with receipt.pdf.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Reçu officiel aux fins de l'impôt sur le revenu" in text
    assert "Agence du revenu du Canada" in text
