"""Data rights: staff erase a person on request (the right to erasure).

The person's account is pseudonymised and closed (every session ends, sign-in methods are removed), then every text
column of every table is swept for what identifies them (their full name, email addresses and address lines) and each
occurrence is replaced by a pseudonym. Apps add what they know about the person and say what the law makes them keep
(`register_eraser`): donations keep the donor's name and address only on gifts with an issued tax receipt or a Gift Aid
declaration, because tax law requires them for the retention period; the donor record itself is pseudonymised.

Kept as they are: the ledger (append-only financial records; its memos name gifts by number) and the stored receipt
PDFs already issued. The audit log is append-only too; the erasure is the one change the application makes to it,
replacing the person's identifiers in entries' labels and data inside the erasure's own transaction.
"""

import json
import re
import secrets
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import roles
from .audit import audit

# Append-only financial records: never rewritten (see the module docstring).
KEPT_TABLES = {"fund_entry", "fund_ledgertransaction", "django_session"}
AUDIT_TABLES = {"wagtailcore_modellogentry", "wagtailcore_pagelogentry"}
MIN_TERM_LENGTH = 5
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)

# Callables (person: Person) -> None: pseudonymise the app's own records, add terms, declare what must be kept.
ERASERS = []


def register_eraser(eraser):
    if eraser not in ERASERS:
        ERASERS.append(eraser)


@dataclass
class Person:
    email: str
    user: object = None
    pseudonym: str = ""
    pseudonym_email: str = ""
    # term -> its replacement
    terms: dict = field(default_factory=dict)
    # (model, pk) -> field names the law makes us keep as they are
    keep: dict = field(default_factory=dict)

    def add_name(self, name):
        if name and len(name.strip()) >= MIN_TERM_LENGTH:
            self.terms.setdefault(name.strip(), self.pseudonym)

    def add_email(self, email):
        if email and len(email.strip()) >= MIN_TERM_LENGTH:
            self.terms.setdefault(email.strip(), self.pseudonym_email)

    def add_address_line(self, line):
        if line and len(line.strip()) >= MIN_TERM_LENGTH:
            self.terms.setdefault(line.strip(), _("[address erased]"))


def can_erase(user) -> tuple[bool, str]:
    if roles.has_role(user, roles.PROGRAM_STAFF, roles.FINANCE):
        return True, ""
    return False, _("Only program staff and finance may erase a person's data.")


def person_find(*, email: str) -> Person:
    """Who an erasure request names: the account with that email (or a verified address) and/or the donor record."""
    email = (email or "").strip()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address else None
    token = secrets.token_hex(4)
    return Person(
        email=email,
        user=user,
        pseudonym=_("Erased person %(token)s") % {"token": token},
        pseudonym_email=f"erased-{token}@erased.invalid",
    )


def _replace(text: str, person: Person) -> str:
    for term, replacement in person.terms.items():
        text = re.sub(re.escape(term), replacement, text, flags=re.IGNORECASE)
    return text


def _replace_json(value, person: Person):
    encoded = json.dumps(value, ensure_ascii=False)
    for term, replacement in person.terms.items():
        escaped = json.dumps(term, ensure_ascii=False)[1:-1]
        encoded = re.sub(re.escape(escaped), json.dumps(replacement, ensure_ascii=False)[1:-1], encoded, flags=re.I)
    return json.loads(encoded)


def _sweep(person: Person) -> int:
    """Replace the person's identifiers in every text column of every table; returns the number of rows changed."""
    changed = 0
    for model in apps.get_models():
        opts = model._meta
        if not opts.managed or opts.proxy or opts.db_table in KEPT_TABLES:
            continue
        fields = [
            f
            for f in opts.concrete_fields
            if isinstance(f, TEXT_FIELDS) and not f.primary_key and not getattr(f, "choices", None)
        ]
        if not fields or not person.terms:
            continue
        query = Q()
        for f in fields:
            for term in person.terms:
                query |= Q(**{f"{f.attname}__icontains": term})
                if isinstance(f, models.JSONField) and not term.isascii():
                    # SQLite keeps JSON as ASCII text ("Zo\u00eb"); PostgreSQL's jsonb as the characters themselves.
                    query |= Q(**{f"{f.attname}__icontains": json.dumps(term)[1:-1]})
        unlock = opts.db_table in AUDIT_TABLES and connection.vendor == "postgresql"
        if unlock:
            _allow_append_only_change(True)
        try:
            changed += _sweep_model(model, fields, query, person)
        finally:
            if unlock:
                _allow_append_only_change(False)
    return changed


def _allow_append_only_change(allowed: bool):
    # portal.db.append_only: the PostgreSQL triggers let a change through only while this is on, in this transaction.
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL portal.allow_append_only_change = '{'on' if allowed else 'off'}'")


def _sweep_model(model, fields, query, person: Person) -> int:
    changed = 0
    for row in model._base_manager.filter(query).only("pk", *[f.attname for f in fields]).iterator():
        kept = person.keep.get((model, row.pk), ())
        updates = {}
        for f in fields:
            value = getattr(row, f.attname)
            if f.name in kept or value in (None, "", {}, []):
                continue
            new = _replace_json(value, person) if isinstance(f, models.JSONField) else _replace(value, person)
            if new != value:
                updates[f.attname] = new
        if updates:
            model._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def person_erase(*, email: str, by, reason: str) -> Person:
    """Erase the person named by `email` on their request: pseudonymise and close their account, pseudonymise every
    record that identifies them except what financial and tax law requires us to keep, and record who did it and why
    (the audit entry holds only the pseudonym). Staff accounts are not erased here."""
    allowed, why = can_erase(by)
    if not allowed:
        raise PermissionDenied(why)
    if not (reason or "").strip():
        raise ValidationError(_("Say why the person is being erased (for example: their emailed request of 3 May)."))
    person = person_find(email=email)
    user = person.user
    if user is not None and (user.pk == by.pk or roles.has_idle_session_timeout(user)):
        raise PermissionDenied(_("Staff accounts are closed by an administrator, not erased here."))
    with transaction.atomic():
        person.add_email(person.email)
        if user is not None:
            person.add_email(user.email)
            for address in EmailAddress.objects.filter(user=user):
                person.add_email(address.email)
            person.add_name(user.get_full_name())
            person.add_name(user.preferred_name)
        for eraser in ERASERS:
            eraser(person)
        if user is None and not person.terms:
            raise ValidationError(_("Nobody with that email address is known to the portal."))
        if user is not None:
            for session in UserSession.objects.filter(user=user):
                session.end()
            EmailAddress.objects.filter(user=user).delete()
            Authenticator.objects.filter(user=user).delete()
            user.email = person.pseudonym_email
            user.first_name = user.last_name = user.preferred_name = ""
            user.is_active = False
            user.set_unusable_password()  # also ends every session Django signed in without allauth
            user.save()
        _sweep(person)
        audit(
            user if user is not None else by,
            "portal.person.erase",
            user=by,
            data={"pseudonym": person.pseudonym, "reason": _replace(reason.strip(), person)},
        )
    return person
