"""Which language each person sees and is written to.

- Public pages carry their language in the URL: English unprefixed, `/es/...`, `/fr/...` (portal/urls.py). The views
  named in PUBLIC_VIEW_NAMES are those pages; the language switcher moves between their versions.
- Every other screen (portal, account, admin) answers in the person's language: their account's choice when signed in,
  else the language cookie the switcher sets, else the browser's Accept-Language (PersonLanguageMiddleware).
- Emails and PDFs are written in the recipient's language (`language_for`), whoever triggered them.
"""

import functools
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import translation
from wagtail.users.models import UserProfile

PUBLIC_VIEW_NAMES = frozenset(
    {
        "cms:page",
        "cms:search",
        "cms:open_data_json",
        "cms:open_data_csv",
        "cms:robots",
        "cms:sitemap",
        "donations:donate",
        "donations:thanks",
        "grants:round_eligibility",
        "javascript-catalog",
        "wagtail_serve",
    }
)


def supported_language(code) -> str:
    """`code` if the site speaks it (settings.LANGUAGES), else "" (the site default)."""
    code = (code or "").strip().lower()
    return code if code in dict(settings.LANGUAGES) else ""


def language_for(recipient) -> str:
    """The language to write to `recipient` in, whoever triggered the email or PDF.

    `recipient` is a User, an email address (the account with that address, if any), or a record that points at a
    person: a donor or a gift (their account's choice first, else the language they gave in). Site default otherwise.
    """
    if recipient is None:
        return settings.LANGUAGE_CODE
    if isinstance(recipient, str):
        user = get_user_model().objects.filter(email__iexact=recipient.strip()).only("language").first()
        return language_for(user) if user is not None else settings.LANGUAGE_CODE
    if isinstance(recipient, get_user_model()):
        return supported_language(recipient.language) or settings.LANGUAGE_CODE
    donor = getattr(recipient, "donor", None)
    user = getattr(recipient, "user", None) or getattr(donor, "user", None)
    if user is not None and supported_language(user.language):
        return user.language
    return (
        supported_language(getattr(recipient, "language", ""))
        or supported_language(getattr(donor, "language", ""))
        or settings.LANGUAGE_CODE
    )


def language_for_addresses(addresses, *, default=None) -> str:
    """The language of an email to `addresses`: that of the first one whose account chose a language, else
    `default` (the site's if not given)."""
    default = settings.LANGUAGE_CODE if default is None else default
    emails = [a.strip().lower() for a in addresses or [] if a]
    if not emails:
        return default
    chosen = dict(
        get_user_model().objects.filter(email__in=emails).exclude(language="").values_list("email", "language")
    )
    for email in emails:
        if supported_language(chosen.get(email)):
            return chosen[email]
    return default


def user_set_language(*, user, language: str) -> str:
    """Keep `language` as the person's choice, for the portal, their emails and PDFs and (the same choice) the
    Wagtail admin's own preference. Blank means the site default. Returns the language kept."""
    language = supported_language(language)
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language
        profile = UserProfile.get_for_user(user)
        if profile.preferred_language != language:
            profile.preferred_language = language
            profile.save(update_fields=["preferred_language"])
    return language


def preferred_language(request) -> str:
    """The person's language for an unprefixed portal screen: account, then cookie, then Accept-Language."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and supported_language(getattr(user, "language", "")):
        return user.language
    return translation.get_language_from_request(request, check_path=False)


def _split_language(path: str) -> tuple[str, str]:
    """("es", "/about/") for "/es/about/"; ("", path) for an unprefixed path."""
    language = translation.get_language_from_path(path) or ""
    if not language:
        return "", path
    rest = path[len(language) + 1 :]
    return language, rest if rest.startswith("/") else "/" + rest


def is_public_path(path: str) -> bool:
    """Whether `path` (with or without a language prefix) is a public page whose URL carries the language."""
    _language, bare = _split_language(path)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(bare)
        except Resolver404:
            return False
    return match.view_name in PUBLIC_VIEW_NAMES


def switch_url(url: str, language: str) -> str:
    """The same page in `language`: public pages move to their prefixed version (English unprefixed), portal
    screens keep their unprefixed URL (the person's language applies there)."""
    parts = urlsplit(url)
    _current, bare = _split_language(parts.path or "/")
    if is_public_path(bare) and language != settings.LANGUAGE_CODE:
        path = f"/{language}{bare}"
    else:
        path = bare
    return urlunsplit(parts._replace(path=path))


def public_path(path: str, language: str | None = None) -> str:
    """A public site path ("/campaigns/") in the active (or given) language ("/es/campaigns/")."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    language = supported_language(language) or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return path
    return f"/{language}{path}"


def sync_language_from_admin_profile(sender, instance, **kwargs):
    """Staff choose their language in the Wagtail admin's account settings (UserProfile.preferred_language): the
    same choice then applies to their portal screens, emails and PDFs."""
    language = supported_language(instance.preferred_language)
    get_user_model().objects.filter(pk=instance.user_id).exclude(language=language).update(language=language)


def written_for(recipient_of):
    """Render the decorated document (a PDF) in the language of the person it is for:
    `recipient_of(*args, **kwargs)` names them (see `language_for`), whoever asks for the document."""

    def decorator(render):
        @functools.wraps(render)
        def wrapped(*args, **kwargs):
            with translation.override(language_for(recipient_of(*args, **kwargs))):
                return render(*args, **kwargs)

        return wrapped

    return decorator


def reset_language(**_kwargs):
    """After each request, back to the site's language: the thread serves other people next (and code run outside a
    request, such as a test's `reverse()`, never inherits the last visitor's language)."""
    translation.deactivate()
