import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from grants.models import ApplicationMessage
from tests.factories.applicants import MembershipFactory
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_applicant_message_reaches_staff_by_email(client, django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    member = MembershipFactory(organisation=application.organisation).user
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grants:message_create", args=[application.pk]), {"body": "Can we add a partner letter?"}
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == [settings.STAFF_NOTIFICATION_EMAIL]
    assert "Can we add a partner letter?" in mail.outbox[0].body
    message = ApplicationMessage.objects.get()
    assert not message.from_staff and not message.internal


def test_applicant_cannot_post_an_internal_note(client):
    application = ApplicationFactory()
    member = MembershipFactory(organisation=application.organisation).user
    client.force_login(member)
    client.post(reverse("grants:message_create", args=[application.pk]), {"body": "hello", "internal": "on"})
    assert ApplicationMessage.objects.get().internal is False


def test_staff_internal_note_through_the_admin(client, staff, django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    MembershipFactory(organisation=application.organisation)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("grants_admin:message_create", args=[application.pk]), {"body": "Check budget", "internal": "on"}
        )
    assert ApplicationMessage.objects.get().internal is True
    assert mail.outbox == []


def test_applicant_withdraws_from_the_application_page(client, django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    member = MembershipFactory(organisation=application.organisation).user
    client.force_login(member)
    withdraw = reverse("grants:application_withdraw", args=[application.pk])
    page = client.post(withdraw, {"reason": "Merged with partner"})  # restated first, nothing changes yet
    assert "This cannot be undone" in page.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(withdraw, {"reason": "Merged with partner", "confirmed": "yes"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.status_changes.get().reason == "Merged with partner"
    assert mail.outbox[0].to == [settings.STAFF_NOTIFICATION_EMAIL]
    response = client.post(withdraw, {"confirmed": "yes"}, follow=True)
    assert "cannot be changed that way" in response.content.decode()
