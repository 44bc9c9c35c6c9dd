"""Data rights: everything the portal holds about one person, as JSON and as a readable PDF.

Each app says what it holds about a person by registering a section in its AppConfig.ready (as it registers dashboard
panels), so this module imports no other app: `register_personal_data(key, title, collect)`, where `collect(user)`
returns a list of plain, JSON-ready dicts and runs a fixed number of queries however much the person has (the view's
test asserts it). Apps also say which of their records are "about" the person (`register_audit_subjects`), so the
audit entries about those records are part of the download.
"""

import json
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import ModelLogEntry

from .pdf import build_pdf, para, spacer


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    collect: object


SECTIONS: list[Section] = []
# Callables user -> Q over ModelLogEntry selecting the audit entries about that person's records.
AUDIT_SUBJECTS = []


def register_personal_data(key, title, collect):
    if any(section.key == key for section in SECTIONS):
        return
    SECTIONS.append(Section(key, title, collect))


def register_audit_subjects(subjects):
    if subjects not in AUDIT_SUBJECTS:
        AUDIT_SUBJECTS.append(subjects)


def log_entries_about(model, object_ids) -> Q:
    """A Q over ModelLogEntry for the audit entries about these rows of `model` (object ids are stored as text)."""
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in object_ids])


def when(value):
    return value.isoformat() if value else None


def personal_data(user) -> dict:
    """Every registered section for `user`: {"generated_at", "fund", "person", "sections": {key: [records]}}."""
    return {
        "generated_at": timezone.now().isoformat(),
        "fund": settings.FUND_NAME,
        "person": user.email,
        "sections": {section.key: section.collect(user) for section in SECTIONS},
    }


def personal_data_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list) and all(isinstance(item, dict) and "question" in item for item in value):
        return "\n\n".join(f"{item['question']}\n{item.get('answer') or '—'}" for item in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False)
    return str(value)


def personal_data_pdf(data: dict) -> bytes:
    """The same data for people to read: one heading per section, each record's fields as labelled paragraphs."""
    titles = {section.key: str(section.title) for section in SECTIONS}
    story = [
        para(_("Your data at %(fund)s") % {"fund": data["fund"]}, "h1"),
        para(
            _("Everything the portal holds about %(person)s, generated %(when)s.")
            % {"person": data["person"], "when": data["generated_at"][:16].replace("T", " ")},
            "small",
        ),
    ]
    for key, records in data["sections"].items():
        story += [spacer(), para(titles.get(key, _label(key)), "h2")]
        if not records:
            story.append(para(_("Nothing held.")))
        for number, record in enumerate(records, start=1):
            # Label and paragraph pairs rather than a table: a paragraph splits across pages, a table cell cannot, and
            # an application's answers can run for pages.
            story.append(para(f"{titles.get(key, _label(key))} · {number}", "label"))
            for field_name, value in record.items():
                story += [para(_label(field_name), "small"), para(_text(value)), spacer(1)]
            story.append(spacer(3))
    return build_pdf(story, title=_("Your data"), author=data["fund"])


# --- What the portal itself holds: the account, its sign-ins and the audit entries by or about the person ---


def collect_profile(user):
    addresses = list(EmailAddress.objects.filter(user=user).order_by("email"))
    return [
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_name": user.preferred_name,
            "time_zone": user.time_zone,
            "language": user.language,
            "joined": when(user.date_joined),
            "last_sign_in": when(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [{"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses],
        }
    ]


def collect_sessions(user):
    return [
        {"started": when(s.created_at), "ip_address": s.ip, "browser": s.user_agent, "last_seen": when(s.last_seen_at)}
        for s in UserSession.objects.filter(user=user).order_by("created_at")
    ]


def collect_audit_entries(user):
    about = Q(user=user) | log_entries_about(get_user_model(), [user.pk])
    for subjects in AUDIT_SUBJECTS:
        about |= subjects(user)
    entries = ModelLogEntry.objects.filter(about).select_related("content_type").order_by("timestamp", "pk")
    return [
        {
            "when": when(entry.timestamp),
            "action": entry.action,
            "record": f"{entry.content_type.name}: {entry.label}" if entry.content_type else entry.label,
            "by_you": entry.user_id == user.pk,
        }
        for entry in entries
    ]


def register_portal_sections():
    register_personal_data("profile", gettext_lazy("Your account"), collect_profile)
    register_personal_data("sessions", gettext_lazy("Signed-in sessions"), collect_sessions)
    register_personal_data("audit_entries", gettext_lazy("Audit entries by or about you"), collect_audit_entries)
