"""Eligibility answers given before sign-up, and the organisation profile, pre-fill a new application."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from grants.models import Application, EligibilityResponse
from grants.selectors import application_prefill
from tests.factories.applicants import NeighbourhoodFactory, OrganisationFactory
from tests.factories.grants_extra import round_with_form

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"key": "about", "kind": "section", "label": "About you"},
    {"key": "works_here", "kind": "yes_no", "label": "Do you work in Millbrook?"},
    {"key": "peer", "kind": "yes_no", "label": "Is your organisation peer-led?", "prefill_from": "peer_led"},
    {
        "key": "areas",
        "kind": "multiple_choice",
        "label": "Which neighbourhoods will you serve?",
        "choices": "Northside\nRiverside\nOld Town",
        "prefill_from": "neighbourhoods",
    },
    {"key": "who", "kind": "long_text", "label": "Who do you serve?", "prefill_from": "communities_served"},
]
ELIGIBILITY = [("Do you work in Millbrook?", True, "this round funds groups working in Millbrook.")]
PASSWORD = "a-long-unusual-pass-77"


def _link_from(message):
    return re.search(r"https?://testserver(/[^\s\"<>]+)", message.body).group(1)


def test_eligibility_answers_carry_from_an_anonymous_visit_through_sign_up_into_the_application(client):
    funding_round = round_with_form(QUESTIONS, eligibility=ELIGIBILITY)
    northside = NeighbourhoodFactory(name="Northside", slug="northside")
    question = funding_round.eligibility_questions.get()

    response = client.post(reverse("grants:round_eligibility", args=[funding_round.slug]), {f"e_{question.pk}": "yes"})
    assert response["Location"] == reverse("grants:application_start", args=[funding_round.slug])
    response = client.get(response["Location"])
    assert "/accounts/login/" in response["Location"]  # not signed in yet

    response = client.post(
        "/accounts/signup/", {"email": "rosa@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(_link_from(mail.outbox[-1]))  # confirming signs the person in
    assert response.status_code == 302
    response = client.post(
        reverse("applicants:organisation_create"),
        {
            "legal_name": "Northside Peers",
            "org_type": "nonprofit_corporation",
            "country": "US",
            "registration_number": "12-3456789",
            "neighbourhood": northside.pk,
            "service_areas": [northside.pk],
            "peer_led": "on",
            "communities_served": "People who use drugs alone",
            "publicly_named": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    start_url = reverse("grants:application_start", args=[funding_round.slug])
    assert client.get(start_url).status_code == 200  # still eligible: the answers are on the account now
    response = client.post(start_url)
    application = Application.objects.get(round=funding_round)
    assert response["Location"] == reverse("grants:application_step", args=[application.pk, 0])
    assert application.answers == {
        "works_here": "yes",
        "peer": "yes",
        "areas": ["Northside"],
        "who": "People who use drugs alone",
    }
    assert EligibilityResponse.objects.get(user__email="rosa@example.org").answers == {str(question.pk): "yes"}

    body = client.get(reverse("grants:application_step", args=[application.pk, 1])).content.decode()
    assert re.search(r'<input[^>]*name="q_works_here"[^>]*value="yes"[^>]*checked', body)
    assert re.search(r'<input[^>]*name="q_peer"[^>]*value="yes"[^>]*checked', body)
    assert re.search(r'<input[^>]*name="q_areas"[^>]*value="Northside"[^>]*checked', body)
    assert not re.search(r'<input[^>]*name="q_areas"[^>]*value="Riverside"[^>]*checked', body)
    assert "People who use drugs alone</textarea>" in body


def test_answers_given_while_signed_in_are_kept_on_the_account(client, mfa_user_factory):
    funding_round = round_with_form(QUESTIONS, eligibility=ELIGIBILITY)
    question = funding_round.eligibility_questions.get()
    user = mfa_user_factory(mfa=False)
    client.force_login(user)
    client.post(reverse("grants:round_eligibility", args=[funding_round.slug]), {f"e_{question.pk}": "yes"})
    assert EligibilityResponse.objects.get(user=user, round=funding_round).answers == {str(question.pk): "yes"}


def test_a_profile_answer_the_form_does_not_offer_is_left_for_the_applicant():
    organisation = OrganisationFactory(peer_led=False, communities_served="")
    organisation.service_areas.set([NeighbourhoodFactory(name="Elsewhere", slug="elsewhere")])
    questions = [
        {
            "key": "areas",
            "kind": "multiple_choice",
            "label": "Areas",
            "choices": ["Northside"],
            "prefill": "neighbourhoods",
        },
        {"key": "peer", "kind": "yes_no", "label": "Peer-led?", "prefill": "peer_led"},
        {"key": "who", "kind": "long_text", "label": "Who?", "prefill": "communities_served"},
        {"key": "other", "kind": "yes_no", "label": "Something else?"},
    ]
    assert application_prefill(questions=questions, organisation=organisation, eligibility={}) == {"peer": "no"}
