"""The PDF copy of a submission: exactly what was sent (the frozen answers, form version and organisation profile)."""

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.i18n import written_for
from portal.money import format_money
from portal.pdf import build_pdf, para, rich_text_flowables, spacer, table

from .selectors import answer_rows


def _local_datetime(value) -> str:
    """The fund's local date and time in the active language's format, with the time zone's name."""
    local = timezone.localtime(value)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def sponsor_rows(legal_name: str, registration: str) -> list[list[str]]:
    """Table rows naming a fiscal sponsor by its legal name and registration (none when there is no sponsor)."""
    if not legal_name:
        return []
    rows = [[_("Fiscal sponsor"), legal_name]]
    if registration:
        rows.append([_("Fiscal sponsor's registration"), registration])
    return rows


@written_for(lambda application, submission: submission.submitted_by or application.created_by)
def application_pdf(application, submission) -> bytes:
    """In the language the application was filled in: its questions as the applicant read them."""
    with translation.override(application.language or "en"):
        return _application_pdf(application, submission)


def _application_pdf(application, submission) -> bytes:
    fund = application.round.fund
    org = submission.organisation_snapshot or {}
    story = [
        para(_("Application %(ref)s") % {"ref": application.reference or ""}, "h1"),
        para(application.round.title, "h2"),
        para(
            _("Submitted %(when)s (submission %(n)s)")
            % {
                "when": _local_datetime(submission.submitted_at),
                "n": submission.number,
            },
            "small",
        ),
        spacer(),
        table(
            [
                [_("Organisation"), org.get("name", "")],
                [_("Legal name"), org.get("legal_name", "")],
                [_("Registration number"), org.get("registration_number", "")],
                *sponsor_rows(org.get("fiscal_sponsor_name", ""), org.get("fiscal_sponsor_registration", "")),
                [_("Neighbourhood"), org.get("neighbourhood", "")],
                [_("Project title"), submission.title],
                [
                    _("Amount requested"),
                    format_money(submission.requested_amount, fund.currency)
                    if submission.requested_amount is not None
                    else "",
                ],
            ],
            col_widths=[130, 330],
            header=False,
        ),
        spacer(),
        para(_("Project summary"), "h2"),
        para(submission.summary),
    ]
    attachments = {}
    for a in submission.attachments:
        attachments.setdefault(a["key"], []).append(a)
    for row in answer_rows(submission.form_snapshot, submission.answers, attachments, language=application.language):
        if "section" in row:
            story += [spacer(), para(row["section"], "h2")]
            continue
        answer = rich_text_flowables(row["value"]) if row["question"]["kind"] == "rich_text" else None
        story += [para(row["label"], "label"), *(answer or [para(row["text"] or _("(no answer)"))]), spacer(2)]
    return build_pdf(story, title=_("Application %(ref)s") % {"ref": application.reference or ""}, fund=fund)
