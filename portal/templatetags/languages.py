"""{% load languages %}: the language switcher and links to public pages in the active language."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.i18n import public_path as _public_path

register = template.Library()


@register.simple_tag(takes_context=True)
def language_switcher(context):
    """The switcher form (templates/includes/language_switcher.html): it posts to set_language and comes back to the
    same page in the chosen language."""
    request = context.get("request")
    languages = [translation.get_language_info(code) | {"code": code} for code, _name in settings.LANGUAGES]
    return render_to_string(
        "includes/language_switcher.html",
        {
            "switcher_next": request.get_full_path() if request is not None else "/",
            "switcher_languages": languages,
            "switcher_current": translation.get_language(),
        },
        request=request,
    )


@register.simple_tag
def public_path(path):
    """A public page's path in the active language: {% public_path "/campaigns/" %} → "/es/campaigns/" in Spanish."""
    return _public_path(path)
