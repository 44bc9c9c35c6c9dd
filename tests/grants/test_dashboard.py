import pytest
from django.urls import reverse

from grants import services
from tests.factories.applicants import MembershipFactory
from tests.factories.grants_extra import complete, draft_for, round_with_form

pytestmark = pytest.mark.django_db


def test_dashboard_lists_organisations_and_applications_in_plain_words(client, staff):
    funding_round = round_with_form(title="Open round")
    application, user = draft_for(funding_round)
    complete(application)
    services.application_submit(application=application, by=user)
    services.application_request_more_info(application=application, by=staff, reason="Budget?")
    services.message_post(application=application, by=staff, body="See our question", internal=False)
    services.message_post(application=application, by=staff, body="internal", internal=True)
    client.force_login(user)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert application.organisation.name in body
    assert "We need more information from you" in body
    assert "update your answers and resubmit" in body
    assert "Open round" in body  # open rounds to apply to
    panel = client.get(reverse("portal:dashboard")).context["panels"]
    assert "grants/dashboard_panel.html" in panel


def test_dashboard_panel_is_not_shown_to_staff_without_organisations(client, staff):
    client.force_login(staff)
    assert "grants/dashboard_panel.html" not in client.get(reverse("portal:dashboard")).context["panels"]


def test_colleague_sees_the_organisations_application(client):
    funding_round = round_with_form()
    application, _owner = draft_for(funding_round, title="Shared draft")
    colleague = MembershipFactory(organisation=application.organisation, role="member").user
    client.force_login(colleague)
    assert "Shared draft" in client.get(reverse("portal:dashboard")).content.decode()
