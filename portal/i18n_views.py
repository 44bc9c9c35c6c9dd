"""The language switcher's endpoint and the person's language preference screen."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .i18n import supported_language, switch_url, user_set_language


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return next_url


def _remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _csrf_refused(request):
    """Django's CSRF check, run by hand: the response refusing the request, or None."""
    return CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})


@csrf_exempt
@require_POST
def set_language(request):
    """The switcher: the same page in the chosen language (a public page moves to its /es/ or /fr/ version), the
    choice kept in a cookie and, for a signed-in person, on their account (their emails and PDFs follow it).

    A visitor's switch only sets a cookie, so the public pages' switcher carries no CSRF token: a cached page stays
    the same for everyone (cms/cache.py). Changing a signed-in person's account is CSRF-checked as usual."""
    if request.user.is_authenticated and (refused := _csrf_refused(request)) is not None:
        return refused
    next_url = _safe_next(request)
    language = supported_language(request.POST.get("language"))
    if not language:
        return HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return _remember_language(HttpResponseRedirect(switch_url(next_url, language)), language)


class LanguagePreferenceForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("Your screens, emails, receipts and letters use this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Site default (English)"))] + [
            (code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


@login_required
def preferences(request):
    """Applicants, donors and reviewers choose their language (staff also can, in the admin's account settings)."""
    user = request.user
    if request.method == "POST":
        form = LanguagePreferenceForm(request.POST)
        if form.is_valid():
            language = user_set_language(user=user, language=form.cleaned_data["language"])
            active = language or settings.LANGUAGE_CODE
            translation.activate(active)
            messages.success(request, _("Your language is saved."))
            return _remember_language(redirect("portal:preferences"), active)
    else:
        form = LanguagePreferenceForm(initial={"language": user.language})
    return render(request, "portal/preferences.html", {"form": form, "page_title": _("Language")})
