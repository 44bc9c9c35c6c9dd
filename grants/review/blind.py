"""Blind review: what a reviewer reads must not say who applied.

Questions the form marks as identifying are left out (selectors.review_answer_rows). Everything else a reviewer reads
(title, summary, answers, attachment names) goes through a `Redactor` that hides the organisation's names, registration
number, contact details and its people's names and email addresses wherever they appear, and attachments get neutral
names. Emails to reviewers name only the application's reference and round, blind or not.
"""

import html
import re
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from applicants.models import Membership

HIDDEN = _("[hidden: blind review]")
MIN_TERM_LENGTH = 3  # shorter strings ("AB") would hide parts of ordinary words
TAG = re.compile(r"(<[^>]*>)")


def _website_host(url) -> str:
    host = urlsplit(url if "//" in (url or "") else f"//{url or ''}").hostname or ""
    return host.removeprefix("www.")


IDENTIFYING_FIELDS = (
    "name",
    "legal_name",
    "operating_name",
    "registration_number",
    "fiscal_sponsor_name",
    "fiscal_sponsor_registration",
    "email",
    "phone",
)


def organisation_terms(organisation, snapshot=None) -> set[str]:
    """The strings that identify an organisation: its names (now and as submitted), registration number, fiscal
    sponsor, contact email, email domain, website host and phone."""
    current = {field: getattr(organisation, field, "") for field in (*IDENTIFYING_FIELDS, "website")}
    # The sponsor is an organisation in the portal now; the text field only holds names typed before.
    current["fiscal_sponsor_name"] = getattr(organisation, "sponsor_legal_name", "")
    current["fiscal_sponsor_registration"] = getattr(organisation, "sponsor_registration_number", "")
    terms = set()
    for source in (current, snapshot if isinstance(snapshot, dict) else {}):
        for field in IDENTIFYING_FIELDS:
            value = source.get(field)
            if isinstance(value, str):
                terms.add(value)
        email = source.get("email")
        if isinstance(email, str) and "@" in email:
            terms.add(email.rpartition("@")[2])
        website = source.get("website")
        if isinstance(website, str) and website:
            terms.add(_website_host(website))
    return terms


def people_terms(users) -> set[str]:
    terms = set()
    for user in users:
        full = f"{user.first_name} {user.last_name}".strip()
        if " " in full:
            terms.add(full)
        terms.add(user.email)
    return terms


class Redactor:
    """Replaces every identifying term (case-insensitive, whole words) with a neutral marker."""

    def __init__(self, terms):
        cleaned = sorted({t.strip() for t in terms if t and len(t.strip()) >= MIN_TERM_LENGTH}, key=len, reverse=True)
        self.pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in cleaned), re.IGNORECASE) if cleaned else None
        )

    def __call__(self, text):
        if not text or self.pattern is None or not isinstance(text, str):
            return text
        return self.pattern.sub(str(HIDDEN), text)

    def html(self, value):
        """The same for sanitised rich text: the words are redacted, the markup kept; a link whose address names the
        organisation (its website, say) keeps its redacted words but loses its address."""
        if not value or self.pattern is None or not isinstance(value, str):
            return value
        out = []
        for part in TAG.split(value):
            if TAG.fullmatch(part):
                is_link = part.lower().startswith("<a ")
                out.append("<a>" if is_link and self(html.unescape(part)) != html.unescape(part) else part)
            else:
                out.append(escape(self(html.unescape(part))))
        return "".join(out)


NO_REDACTION = Redactor(())


def redactor_for(application, *, blind: bool) -> Redactor:
    """The redactor for what a reviewer reads of this application (one query for its people)."""
    if not blind:
        return NO_REDACTION
    organisation = application.organisation
    people = [m.user for m in Membership.objects.filter(organisation=organisation).select_related("user")]
    return Redactor(organisation_terms(organisation, application.organisation_snapshot) | people_terms(people))


def redactors_for_list(applications) -> dict:
    """{application_id: Redactor} for a list whose organisations' memberships were prefetched
    (`organisation__memberships__user`): no queries."""
    result = {}
    for application in applications:
        organisation = application.organisation
        people = [m.user for m in organisation.memberships.all()]
        result[application.pk] = Redactor(
            organisation_terms(organisation, application.organisation_snapshot) | people_terms(people)
        )
    return result


def neutral_attachment_name(attachment, index: int) -> str:
    """ "attachment-2.pdf": the extension is kept (reviewers need to know what opens it), the name is not."""
    _stem, dot, extension = (attachment.original_name or "").rpartition(".")
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)[:8] if dot else ""
    return f"attachment-{index}" + (f".{extension.lower()}" if extension else "")
