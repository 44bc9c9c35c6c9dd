"""Stored XSS: hostile answers come back inert on every page and in the PDF that shows them."""

import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from pypdf import PdfReader

from grants import services
from tests.factories.applicants import MembershipFactory
from tests.factories.grants_extra import complete, draft_for, round_with_form

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
]


class _ActiveContentFinder(HTMLParser):
    """Collects anything a browser would execute: script/svg elements, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "iframe", "object", "embed"):
            self.found.append(tag)
        src = dict(attrs).get("src") or ""
        # Our own files: static JavaScript and the translated-strings catalogue (/jsi18n/, /es/jsi18n/...).
        if tag == "script" and not (src.startswith("/static/") or src.endswith("jsi18n/")):
            self.found.append("inline script")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def _admin_content(html):
    """The part of a Wagtail admin page our templates render (the admin shell has its own icons and scripts)."""
    return html.split('class="nice-padding"', 1)[1].split("</main>", 1)[0]


def _assert_inert(html):
    finder = _ActiveContentFinder()
    finder.feed(html)
    assert finder.found == []


@pytest.fixture
def hostile_application(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    client.force_login(user)
    payload = " ".join(PAYLOADS)
    # Through the real step forms, as an attacker would send them.
    client.post(
        reverse("grants:application_step", args=[application.pk, 0]),
        {"title": PAYLOADS[0][:150], "summary": payload, "requested_amount": "25000", "go": "save"},
    )
    client.post(
        reverse("grants:application_step", args=[application.pk, 1]),
        {"q_problem": payload, "q_approach": payload, "q_contact_name": PAYLOADS[1], "q_peer_led": "no", "go": "save"},
    )
    client.post(
        reverse("grants:application_step", args=[application.pk, 2]),
        {
            "q_budget-0-category": PAYLOADS[3],
            "q_budget-0-description": PAYLOADS[2],
            "q_budget-0-amount": "25000",
            "q_start": "2027-01-01",
            "go": "save",
        },
    )
    application.refresh_from_db()
    return application, user, payload


def test_rich_text_is_sanitised_when_saved(hostile_application):
    application, _user, _payload = hostile_application
    _assert_inert(application.answers["approach"])
    assert "click" in application.answers["approach"]


def test_applicant_pages_show_payloads_inert(client, hostile_application):
    application, _user, _payload = hostile_application
    for url in [
        reverse("grants:application_step", args=[application.pk, 0]),
        reverse("grants:application_step", args=[application.pk, 1]),
        reverse("grants:application_review", args=[application.pk]),
    ]:
        _assert_inert(client.get(url).content.decode())
    services.application_submit(application=application, by=application.created_by)
    _assert_inert(client.get(reverse("grants:application_detail", args=[application.pk])).content.decode())
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/dashboard/")
    request.user, request.session = application.created_by, client.session
    _assert_inert(
        render_to_string("grants/dashboard_panel.html", {"request": request, "user": request.user}, request=request)
    )


def test_staff_pages_and_exports_show_payloads_inert(client, staff, hostile_application):
    application, user, payload = hostile_application
    services.application_submit(application=application, by=user)
    services.message_post(application=application, by=user, body=payload)
    client.force_login(staff)
    services.application_request_more_info(application=application, by=staff, reason=PAYLOADS[1])
    application.refresh_from_db()
    application.answers["problem"] = PAYLOADS[0] + " changed"
    application.save()
    services.application_submit(application=application, by=user)
    detail = client.get(reverse("grants_admin:application_detail", args=[application.pk])).content.decode()
    assert "click" in detail and "Changed since the previous submission" in detail
    _assert_inert(_admin_content(detail))
    _assert_inert(_admin_content(client.get(reverse("grants_admin:application_list")).content.decode()))


def test_pdf_shows_payload_as_plain_text(client, hostile_application):
    application, user, _payload = hostile_application
    services.application_submit(application=application, by=user)
    response = client.get(reverse("grants:application_pdf", args=[application.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    # Plain text answers are printed literally (a PDF runs no script); rich text lost its markup when saved.
    assert "onerror" in text  # the short-text answer, printed as text
    assert "javascript:" not in text.split("Your approach")[1].split("Contact name")[0]


def test_messages_from_applicants_are_escaped(client, staff, hostile_application):
    application, user, payload = hostile_application
    other_member = MembershipFactory(organisation=application.organisation).user
    services.message_post(application=application, by=user, body=payload)
    client.force_login(other_member)
    _assert_inert(client.get(reverse("grants:application_detail", args=[application.pk])).content.decode())
