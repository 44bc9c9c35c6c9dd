from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import Application, DeadlineExtension
from grants.workflow import TransitionNotAllowed
from tests.factories.grants_extra import complete, draft_for, round_with_form

pytestmark = pytest.mark.django_db


def _closed_round_draft():
    funding_round = round_with_form(closes_at=timezone.now() - timedelta(hours=1))
    application, user = draft_for(funding_round)
    complete(application)
    return application, user


def test_nobody_can_submit_after_the_deadline_and_the_draft_is_kept(client):
    application, user = _closed_round_draft()
    with pytest.raises(TransitionNotAllowed, match="deadline"):
        services.application_submit(application=application, by=user)
    client.force_login(user)
    response = client.post(reverse("grants:application_review", args=[application.pk]))
    assert "The deadline has passed" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft" and application.answers["contact_name"] == "Rosa"


def test_staff_extension_lets_one_application_submit_late_and_is_audited(staff):
    application, user = _closed_round_draft()
    services.extension_grant(
        application=application, by=staff, new_deadline=timezone.now() + timedelta(days=2), reason="Family emergency"
    )
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(action="grants.application.extension", user_id=staff.pk).exists()
    services.application_submit(application=application, by=user)
    assert application.status == "submitted"


def test_extension_for_one_application_does_not_help_another(staff):
    application, user = _closed_round_draft()
    other, other_user = draft_for(application.round)
    complete(other)
    services.extension_grant(
        application=application, by=staff, new_deadline=timezone.now() + timedelta(days=2), reason="ok"
    )
    with pytest.raises(TransitionNotAllowed):
        services.application_submit(application=other, by=other_user)


def test_applicant_cannot_grant_an_extension():
    application, user = _closed_round_draft()
    with pytest.raises(PermissionDenied):
        services.extension_grant(
            application=application, by=user, new_deadline=timezone.now() + timedelta(days=1), reason="x"
        )
    assert not DeadlineExtension.objects.exists()


def test_resubmitting_after_more_info_is_allowed_after_the_deadline(staff):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    services.application_submit(application=application, by=user)
    services.application_request_more_info(application=application, by=staff, reason="Budget?")
    funding_round.closes_at = timezone.now() - timedelta(minutes=1)
    funding_round.save()
    application.refresh_from_db()
    services.application_submit(application=application, by=user)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.reference.endswith("0001")  # the reference never changes
    assert [c.action for c in application.status_changes.all()] == ["submit", "request_more_info", "resubmit"]


def test_applicant_withdraws_and_cannot_withdraw_twice():
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    services.application_withdraw(application=application, by=user, reason="Merged with another group")
    assert application.status == "withdrawn"
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(application=application, by=user)


def test_staff_cannot_use_applicant_transitions_and_applicants_cannot_screen(staff):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    services.application_submit(application=application, by=user)
    with pytest.raises(PermissionDenied):
        services.application_move_to_review(application=application, by=user)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=application, by=staff)


def test_references_are_sequential_per_prefix_and_year():
    funding_round = round_with_form(reference_prefix="RRM")
    refs = []
    for _ in range(3):
        application, user = draft_for(funding_round)
        complete(application)
        services.application_submit(application=application, by=user)
        refs.append(application.reference)
    year = timezone.localdate().year
    assert refs == [f"RRM-{year}-0001", f"RRM-{year}-0002", f"RRM-{year}-0003"]


def test_submitted_application_cannot_be_edited(client):
    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    services.application_submit(application=application, by=user)
    client.force_login(user)
    response = client.post(reverse("grants:application_step", args=[application.pk, 1]), {"q_problem": "changed"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["problem"] != "changed"


def test_new_form_version_does_not_change_a_submitted_application(staff):
    from grants.models import FormQuestion

    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    services.application_submit(application=application, by=user)
    FormQuestion.objects.filter(round=funding_round, key="problem").update(label="Reworded question")
    version = services.form_publish(funding_round=funding_round, by=staff)
    assert version.number == 2
    application.refresh_from_db()
    labels = [q["label"] for q in application.form_snapshot["questions"]]
    assert "What problem will you address?" in labels and "Reworded question" not in labels
    assert services.form_publish(funding_round=funding_round, by=staff) is None  # nothing changed


def test_draft_follows_the_newest_form_version_keeping_answers(staff):
    from grants.models import FormQuestion

    funding_round = round_with_form()
    application, user = draft_for(funding_round)
    complete(application)
    FormQuestion.objects.filter(round=funding_round, key="problem").update(label="Reworded question")
    services.form_publish(funding_round=funding_round, by=staff)
    services.application_save_draft(application=application, by=user, answers={"contact_name": "Sam"})
    application.refresh_from_db()
    assert application.form_snapshot["version"] == 2
    assert application.answers["problem"] == "Too few naloxone kits reach people who use alone."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_references():
    import threading

    from django.db import connection

    funding_round = round_with_form(reference_prefix="PAR")
    drafts = []
    for _ in range(4):
        application, user = draft_for(funding_round)
        complete(application)
        drafts.append((application, user))
    errors = []

    def submit(application, user):
        try:
            services.application_submit(application=Application.objects.get(pk=application.pk), by=user)
        except Exception as exc:  # pragma: no cover - shown on failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    refs = sorted(Application.objects.filter(round=funding_round).values_list("reference", flat=True))
    assert len(set(refs)) == 4 and refs[-1].endswith("0004")
