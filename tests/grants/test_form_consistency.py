"""One required marker (explained once per form), one step indicator, dates in the language's own format."""

import io
import re

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from pypdf import PdfReader

from grants.awards.pdf import agreement_pdf
from tests.factories.awards import ApprovedApplicationFactory, fund_with_money, make_award
from tests.factories.grants_extra import draft_for, round_with_form
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db

MARKER = '<span class="required-marker"><span aria-hidden="true">*</span><span class="visually-hidden"> (required)</span></span>'
LEGEND = '<p class="required-legend" aria-hidden="true">'


def test_the_organisation_form_explains_the_marker_once_and_marks_required_fields(client):
    client.force_login(UserFactory())
    body = client.get(reverse("applicants:organisation_create")).content.decode()
    assert body.count(LEGEND) == 1
    assert body.index(LEGEND) < body.index('id="id_legal_name"')
    assert re.search(r'<label for="id_legal_name">Legal name ' + re.escape(MARKER) + "</label>", body)
    assert not re.search(r'<label for="id_operating_name">[^<]*<span class="required-marker">', body)


def test_a_draft_step_marks_the_answers_submitting_will_need(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    body = client.get(reverse("grants:application_step", args=[application.pk, 1])).content.decode()
    assert body.count(LEGEND) == 1
    assert re.search(r"What problem will you address\? " + re.escape(MARKER), body)  # required
    assert not re.search(r"Your approach " + re.escape(MARKER), body)  # optional
    step = client.get(reverse("grants:application_step", args=[application.pk, 0])).content.decode()
    assert re.search(r"Project title " + re.escape(MARKER), step)
    assert '<span aria-current="step"><strong>About your project</strong></span>' in step


def test_the_agreement_writes_dates_in_the_languages_format():
    approved = ApprovedApplicationFactory()
    fund_with_money(approved.round.fund, "50000.00")
    award = make_award(application=approved)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(agreement_pdf(award))).pages)
    due = award.tranches.get().due_date
    assert date_format(due, "DATE_FORMAT") in text
    assert due.isoformat() not in text
