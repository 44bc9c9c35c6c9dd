"""The grant agreement: text from the fund's template (Fund.agreement_template) with placeholders, frozen on the award
when offered, rendered with the payment schedule to PDF by portal.pdf."""

from datetime import UTC

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.i18n import written_for
from portal.money import format_money
from portal.pdf import build_pdf, para, spacer, table

AGREEMENT_PLACEHOLDERS = (
    "fund_name",
    "fund_legal_name",
    "grantee_name",
    "grantee_legal_name",
    "reference",
    "project_title",
    "amount",
    "period_start",
    "period_end",
    "offer_expires_on",
    "reporting_requirements",
)

DEFAULT_AGREEMENT = """This agreement is between {fund_legal_name} ("the Fund") and {grantee_legal_name} ("the Grantee").

The Fund awards the Grantee {amount} for the project "{project_title}" (reference {reference}), for the period {period_start} to {period_end}.

The Grantee will use the grant only for the project as described in its application and any conditions below, keep records of how the money is spent, and tell the Fund promptly of any significant change.

Reporting: {reporting_requirements}

Payments are made in the instalments set out in the schedule below. The Fund may withhold a payment while a report is overdue, and may end the grant and ask for unspent money back if the grant is used for other purposes.

This offer is open until {offer_expires_on}."""


class _Safe(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def render_agreement_text(award) -> str:
    fund, org, app = award.fund, award.organisation, award.application
    values = _Safe(
        fund_name=fund.name,
        fund_legal_name=fund.legal_name or fund.name,
        grantee_name=org.name,
        grantee_legal_name=org.legal_name,
        reference=str(app),
        project_title=app.title or "",
        amount=format_money(award.amount, award.currency),
        period_start=date_format(award.period_start, "DATE_FORMAT")
        if award.period_start
        else _("the date of acceptance"),
        period_end=date_format(award.period_end, "DATE_FORMAT")
        if award.period_end
        else _("%(months)s months later") % {"months": award.round.grant_months},
        offer_expires_on=date_format(award.offer_expires_on, "DATE_FORMAT")
        if award.offer_expires_on
        else _("the date given when the offer is sent"),
        reporting_requirements=award.reporting_requirements or _("as set out in the Fund's reporting schedule"),
    )
    template = fund.agreement_template or DEFAULT_AGREEMENT
    try:
        return template.format_map(values)
    except (ValueError, IndexError):
        # A stray brace in staff-written text must not break the offer: fall back to plain replacement.
        text = template
        for key in AGREEMENT_PLACEHOLDERS:
            text = text.replace("{" + key + "}", str(values[key]))
        return text


@written_for(lambda award: award.application.created_by)
def agreement_pdf(award) -> bytes:
    fund, org = award.fund, award.organisation
    story = [para(_("Grant agreement"), "h1"), para(f"{award.application} · {org.legal_name}", "label")]
    if org.sponsor_display:
        story.append(para(_("Fiscal sponsor: %(sponsor)s") % {"sponsor": org.sponsor_display}, "label"))
    story.append(spacer())
    story += [para(block) for block in (award.agreement_text or render_agreement_text(award)).split("\n\n")]
    story += [spacer(), para(_("Payment schedule"), "h2")]
    rows = [[_("No."), _("Amount"), _("Due"), _("Released")]]
    for t in award.tranches.all():
        cond = t.get_condition_display()
        if t.report_number:
            cond = _("On approval of report %(n)s") % {"n": t.report_number}
        rows.append(
            [str(t.sequence), format_money(t.amount, award.currency), date_format(t.due_date, "DATE_FORMAT"), cond]
        )
    story.append(table(rows))
    if award.conditions:
        story += [spacer(), para(_("Conditions"), "h2"), para(award.conditions)]
    story += [
        spacer(),
        para(
            _("Signed for the Fund: %(name)s, %(title)s") % {"name": fund.signatory_name, "title": fund.signatory_title}
        ),
    ]
    if award.accepted_at:
        story.append(
            para(
                _("Accepted for the Grantee by %(name)s on %(when)s (from %(ip)s).")
                % {
                    "name": award.accepted_name,
                    "when": date_format(award.accepted_at.astimezone(UTC), "DATETIME_FORMAT") + " UTC",
                    "ip": award.accepted_ip or "-",
                }
            )
        )
    return build_pdf(story, title=_("Grant agreement %(ref)s") % {"ref": award.application}, fund=fund)
