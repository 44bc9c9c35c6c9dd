"""What the grants app holds about a person: the applications they started or submitted, with the answers they wrote,
their messages and the files they uploaded (data rights). A fixed number of queries, however many there are."""

from django.db.models import Q

from portal.personal_data import log_entries_about, when

from .models import Application, ApplicationMessage, Attachment
from .selectors import answer_rows


def _applications(user):
    return (
        Application.objects.filter(Q(created_by=user) | Q(submissions__submitted_by=user))
        .distinct()
        .select_related("round", "organisation")
        .order_by("created_at", "pk")
    )


def collect_applications(user):
    records = []
    for application in _applications(user):
        answers = [
            {"question": row["label"], "answer": row["text"]}
            for row in answer_rows(application.form_snapshot or {}, application.answers or {})
            if "section" not in row
        ]
        records.append(
            {
                "reference": application.reference or "",
                "round": application.round.title,
                "organisation": application.organisation.operating_name or application.organisation.legal_name,
                "status": application.get_status_display(),
                "title": application.title,
                "summary": application.summary,
                "requested_amount": application.requested_amount,
                "started": when(application.created_at),
                "submitted": when(application.submitted_at),
                "answers": answers,
            }
        )
    return records


def collect_messages(user):
    messages = ApplicationMessage.objects.filter(author=user).select_related("application").order_by("created_at")
    return [{"application": str(m.application), "written": when(m.created_at), "message": m.body} for m in messages]


def collect_attachments(user):
    files = Attachment.objects.filter(uploaded_by=user).select_related("application").order_by("uploaded_at", "pk")
    return [
        {
            "application": str(a.application),
            "file_name": a.original_name,
            "size_bytes": a.size,
            "uploaded": when(a.uploaded_at),
        }
        for a in files
    ]


def application_audit_subjects(user):
    return log_entries_about(Application, _applications(user).values_list("pk", flat=True))
