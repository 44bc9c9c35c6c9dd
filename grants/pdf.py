"""The PDF copy of a submission: exactly what was sent (the frozen answers, form version and organisation profile)."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.money import format_money
from portal.pdf import build_pdf, para, spacer, table

from .selectors import answer_rows


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
                "when": timezone.localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M %Z"),
                "n": submission.number,
            },
            "small",
        ),
        spacer(),
        table(
            [
                [_("Organisation"), org.get("name", "")],
                [_("Legal name"), org.get("legal_name", "")],
                [_("Registration number"), org.get("registration_number", "") or org.get("fiscal_sponsor_name", "")],
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
        story += [para(row["label"], "label"), para(row["text"] or _("(no answer)")), spacer(2)]
    return build_pdf(story, title=_("Application %(ref)s") % {"ref": application.reference or ""}, fund=fund)
