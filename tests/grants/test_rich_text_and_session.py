"""The "formatted text" question without JavaScript, its word count, and what a page whose session ran out needs to
save again: a fresh CSRF token for the signed-in session and a landing page that sends the applicant back."""

import pytest
from django.test import Client
from django.urls import reverse

from grants.forms_application import count_words, display_answer
from tests.factories.grants_extra import draft_for, round_with_form

pytestmark = pytest.mark.django_db


def test_plain_text_typed_without_javascript_is_stored_as_paragraphs(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    client.post(
        reverse("grants:application_step", args=[application.pk, 1]),
        {"q_approach": "Night outreach.\n\nA van & two peers.", "q_contact_name": "Rosa", "go": "save"},
    )
    application.refresh_from_db()
    assert application.answers["approach"] == "<p>Night outreach.</p><p>A van &amp; two peers.</p>"


def test_the_rich_text_step_loads_the_editor_and_no_longer_asks_for_html(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    response = client.get(reverse("grants:application_step", args=[application.pk, 1]))
    page = response.content.decode()
    assert "vendor/trix-2.1.19/trix.umd.min.js" in page and 'id="rich-text-toolbar"' in page
    assert "&lt;p&gt;" not in page  # the old hint asked applicants to type tags
    nonce = page.split('name="trix-csp-nonce" content="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    # A step without such a question loads neither the editor nor a nonce.
    other = client.get(reverse("grants:application_step", args=[application.pk, 2]))
    assert "trix" not in other.content.decode() and "nonce-" not in other["Content-Security-Policy"]


def test_words_in_list_items_and_paragraphs_are_counted_apart():
    assert count_words("<p>one</p><ul><li>two</li><li>three&nbsp;four</li></ul>") == 4


def test_rich_text_answers_read_as_plain_text_keep_their_bullets():
    question = {"kind": "rich_text", "key": "approach", "label": "Approach"}
    assert display_answer(question, "<p>Plan</p><ul><li>Kits</li><li>Rides</li></ul>") == "Plan\n• Kits\n• Rides"


def test_csrf_endpoint_gives_the_signed_in_session_its_token_and_is_never_cached():
    client = Client(enforce_csrf_checks=True)
    url = reverse("portal:csrf_token")
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.json() == {"authenticated": False}
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = response.json()["token"]
    # The token is the one an autosave of this session is accepted with.
    saved = client.post(
        reverse("grants:application_autosave", args=[application.pk, 1]),
        {"q_contact_name": "Sam", "csrfmiddlewaretoken": token},
    )
    assert saved.status_code == 200 and saved.json()["saved"] is True


def test_signed_out_autosave_points_to_a_page_that_sends_the_applicant_back(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    response = client.post(reverse("grants:application_autosave", args=[application.pk, 1]), {"q_contact_name": "S"})
    assert response.json()["login_url"].endswith("?next=" + reverse("portal:signed_in_again").replace("/", "%2F"))
    client.force_login(user)
    page = client.get(reverse("portal:signed_in_again")).content.decode()
    assert "You are signed in again" in page and "Go back to the tab with your application" in page
