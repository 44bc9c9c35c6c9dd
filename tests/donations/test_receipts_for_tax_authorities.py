"""Receipts fit for tax authorities: every donor's name prints (embedded fonts), A4 in the UK and Canada, the advantage
described, and the authorised signature on Canadian receipts."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from pypdf import PdfReader
from wagtail.images.models import Image
from wagtail.models import Site

from cms.models import SiteSettings
from fund.donations.receipts import receipt_issue_for_donation
from tests.donations.test_receipts import ca_fund, pdf_text
from tests.factories.donations import DonationFactory
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


def receipt_for(fund, **kwargs):
    donation = DonationFactory(fund=fund, currency=fund.currency, **kwargs)
    return receipt_issue_for_donation(donation=donation, send=False)


def pdf_of(receipt) -> PdfReader:
    with receipt.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def embedded_fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


@pytest.mark.parametrize("name", ["Zoë Łukasiewicz", "王小明"])
def test_every_donors_name_prints_on_the_receipt(name):
    receipt = receipt_for(FundFactory(), donor_name=name)
    reader = pdf_of(receipt)
    assert name in pdf_text(receipt)
    assert "DejaVuSans" in embedded_fonts(reader)
    if name == "王小明":
        assert "WenQuanYiZenHei-0" in embedded_fonts(reader)


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "size"),
    [("US", "USD", (612, 792)), ("UK", "GBP", (595, 842)), ("CA", "CAD", (595, 842))],
)
def test_uk_and_canadian_receipts_are_a4_us_letter(jurisdiction, currency, size):
    receipt = receipt_for(FundFactory(jurisdiction=jurisdiction, currency=currency))
    box = pdf_of(receipt).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_us_and_canadian_receipts_describe_the_advantage():
    for fund in (FundFactory(), ca_fund()):
        receipt = receipt_for(
            fund, amount="500.00", advantage_amount="120.00", advantage_description="Two seats at the spring gala"
        )
        assert "Two seats at the spring gala" in pdf_text(receipt)


def test_canadian_receipts_carry_the_authorised_signature_from_site_settings():
    fund = ca_fund()
    unsigned = receipt_for(fund)
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 100), "white").save(buffer, format="PNG")
    signature = Image.objects.create(title="Signature", file=ImageFile(buffer, name="signature.png"))
    settings_row = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.fund, settings_row.receipt_signature = fund, signature
    settings_row.save()

    signed = receipt_for(fund)

    def images(receipt):
        return sum(len(page.images) for page in pdf_of(receipt).pages)

    assert (images(unsigned), images(signed)) == (0, 1)
