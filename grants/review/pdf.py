"""Decision letters (reportlab through portal.pdf, with the fund's letterhead)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.i18n import written_for
from portal.money import format_money
from portal.pdf import build_pdf, para, spacer

from .models import Decision


def _address_lines(org):
    parts = [
        org.legal_name,
        org.address_line1,
        org.address_line2,
        " ".join(p for p in [org.city, org.region, org.postal_code] if p),
    ]
    return [p for p in parts if p]


@written_for(lambda decision, **_kwargs: decision.application.created_by)
def decision_letter_pdf(decision: Decision, *, feedback=()) -> bytes:
    """The letter for one decision. `feedback` is the reviewers' staff-approved feedback: text only, never names."""
    application = decision.application
    fund = application.round.fund
    currency = fund.currency
    story = [
        para(
            date_format(
                timezone.localtime(decision.decided_at) if decision.decided_at else timezone.now(), "DATE_FORMAT"
            )
        )
    ]
    story.append(spacer())
    for line in _address_lines(application.organisation):
        story.append(para(line))
    if application.organisation.sponsor_display:
        story.append(
            para(_("Through its fiscal sponsor %(sponsor)s") % {"sponsor": application.organisation.sponsor_display})
        )
    story += [
        spacer(),
        para(
            _("Re: %(reference)s, %(title)s") % {"reference": application.reference or "", "title": application.title},
            "h2",
        ),
    ]
    story.append(para(_("Funding round: %(round)s") % {"round": application.round.title}))
    story.append(spacer())
    if decision.outcome == Decision.Outcome.APPROVE:
        story.append(
            para(
                _("We are delighted to offer your organisation a grant of %(amount)s for this project.")
                % {"amount": format_money(decision.amount, currency)}
            )
        )
        if application.requested_amount and decision.amount < application.requested_amount:
            story.append(
                para(
                    _("You asked for %(requested)s; the panel could fund part of the request.")
                    % {"requested": format_money(application.requested_amount, currency)}
                )
            )
        story.append(para(_("You will receive the award agreement to review and accept in your dashboard.")))
        if decision.conditions:
            story += [spacer(), para(_("Conditions"), "h2"), para(decision.conditions)]
    elif decision.outcome == Decision.Outcome.WAITLIST:
        story.append(
            para(
                _(
                    "The panel rated your application highly, but the round's budget is fully committed for now. "
                    "Your application is on our waiting list; we will write again if money becomes available."
                )
            )
        )
    else:
        story.append(
            para(
                _(
                    "Thank you for applying. We are sorry to tell you that we cannot fund this application in this round."
                )
            )
        )
    if decision.message:
        story += [spacer(), para(decision.message)]
    if feedback:
        story += [spacer(), para(_("Feedback from the review panel"), "h2")]
        for text in feedback:
            story += [para("• " + text), spacer(2)]
    story += [spacer(8), para(_("With best wishes,")), spacer(6)]
    if fund.signatory_name:
        story.append(para(fund.signatory_name))
    if fund.signatory_title:
        story.append(para(fund.signatory_title, "small"))
    story.append(para(fund.legal_name or fund.name, "small"))
    return build_pdf(
        story, title=_("Decision on %(reference)s") % {"reference": application.reference or ""}, fund=fund
    )
