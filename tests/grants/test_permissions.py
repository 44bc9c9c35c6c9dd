import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from grants.models import Attachment
from tests.factories.applicants import MembershipFactory
from tests.factories.grants import ApplicationFactory
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db

APPLICANT_URLS = [
    ("grants:application_detail", ()),
    ("grants:application_step", (0,)),
    ("grants:application_review", ()),
    ("grants:application_pdf", ()),
]


@pytest.fixture
def application_with_file():
    application = ApplicationFactory()
    attachment = Attachment(
        application=application, question_key="plan", original_name="plan.pdf", content_type="application/pdf", size=8
    )
    attachment.file.save("x", ContentFile(b"%PDF-1.4"), save=True)
    return application, attachment


@pytest.mark.parametrize("name,extra", APPLICANT_URLS)
def test_member_of_another_organisation_gets_404(client, application_with_file, name, extra):
    application, _attachment = application_with_file
    stranger = MembershipFactory().user
    client.force_login(stranger)
    assert client.get(reverse(name, args=[application.pk, *extra])).status_code == 404


def test_another_organisation_cannot_download_the_attachment(client, application_with_file):
    application, attachment = application_with_file
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("grants:attachment_download", args=[application.pk, attachment.pk])).status_code == 404


def test_attachment_is_not_reachable_through_another_application_id(client, application_with_file):
    _application, attachment = application_with_file
    own = MembershipFactory()
    own_application = ApplicationFactory(organisation=own.organisation)
    client.force_login(own.user)
    assert (
        client.get(reverse("grants:attachment_download", args=[own_application.pk, attachment.pk])).status_code == 404
    )


def test_member_downloads_attachment_as_inert_download(client, application_with_file):
    application, attachment = application_with_file
    member = MembershipFactory(organisation=application.organisation).user
    client.force_login(member)
    response = client.get(reverse("grants:attachment_download", args=[application.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_anonymous_visitor_cannot_see_an_application(client, application_with_file):
    application, attachment = application_with_file
    assert client.get(reverse("grants:application_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("grants:attachment_download", args=[application.pk, attachment.pk])).status_code == 404


@pytest.mark.parametrize(
    "name,extra",
    [
        ("grants_admin:application_list", None),
        ("grants_admin:application_detail", ()),
        ("grants_admin:application_pdf", ()),
    ],
)
def test_editor_cannot_see_applications_in_the_admin(client, editor, application_with_file, name, extra):
    application, _attachment = application_with_file
    client.force_login(editor)
    url = reverse(name) if extra is None else reverse(name, args=[application.pk, *extra])
    assert client.get(url).status_code == 403


def test_editor_cannot_download_an_attachment_or_open_the_applicant_pages(client, editor, application_with_file):
    application, attachment = application_with_file
    client.force_login(editor)
    assert (
        client.get(reverse("grants_admin:attachment_download", args=[application.pk, attachment.pk])).status_code == 403
    )
    assert client.get(reverse("grants:application_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("grants:attachment_download", args=[application.pk, attachment.pk])).status_code == 404


def test_editor_cannot_act_on_an_application(client, editor, application_with_file):
    application, _ = application_with_file
    client.force_login(editor)
    response = client.post(reverse("grants_admin:application_act", args=[application.pk, "move_to_review"]))
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_editor_cannot_manage_funding_rounds(client, editor):
    client.force_login(editor)
    assert client.get("/admin/funding_rounds/").status_code == 403
    assert client.get("/admin/funding_rounds/new/").status_code == 403


def test_finance_officer_cannot_see_applications(client, mfa_user_factory, application_with_file):
    application, _ = application_with_file
    client.force_login(mfa_user_factory("Finance"))
    assert client.get(reverse("grants_admin:application_detail", args=[application.pk])).status_code == 403


def test_applicant_without_admin_role_is_kept_out_of_the_admin(client, application_with_file):
    application, _ = application_with_file
    member = MembershipFactory(organisation=application.organisation).user
    client.force_login(member)
    assert client.get(reverse("grants_admin:application_detail", args=[application.pk])).status_code == 403


def test_program_staff_can_download(client, staff, application_with_file):
    application, attachment = application_with_file
    client.force_login(staff)
    response = client.get(reverse("grants_admin:attachment_download", args=[application.pk, attachment.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def test_internal_messages_are_never_shown_or_emailed_to_applicants(client, staff, django_capture_on_commit_callbacks):
    from django.core import mail

    from grants.services import message_post

    application = ApplicationFactory()
    member = MembershipFactory(organisation=application.organisation).user
    with django_capture_on_commit_callbacks(execute=True):
        message_post(application=application, by=staff, body="Secret staff note", internal=True)
        message_post(application=application, by=staff, body="Hello applicant")
    assert [m.to for m in mail.outbox] == [[member.email]]
    client.force_login(member)
    body = client.get(reverse("grants:application_detail", args=[application.pk])).content.decode()
    assert "Hello applicant" in body and "Secret staff note" not in body


def test_a_user_outside_the_organisation_cannot_post_a_message(client, application_with_file):
    application, _ = application_with_file
    client.force_login(UserFactory())
    assert client.post(reverse("grants:message_create", args=[application.pk]), {"body": "hi"}).status_code == 404
