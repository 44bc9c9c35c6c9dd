"""Demo: the public site in Spanish, as an editor makes it: "Translate" on each page (Wagtail's copy for translation,
which keeps the page's place, images and links), then the Spanish words, then Publish. Pages without Spanish words
stay untranslated, so the demo also shows the English fallback. Idempotent: a page already translated is left alone.
"""

from wagtail.models import Locale

from . import demo_spanish as spanish
from .translation import content_locales


def _translate(ctx, page, locale, words, stream):
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.specific.copy_for_translation(locale)
    for name, value in words.items():
        if name == "timeline":
            value = stream([("step", {"when": when, "what": what}) for when, what in value])
        elif name == "faqs":
            value = stream([("faq", {"question": question, "answer": answer}) for question, answer in value])
        elif name == "body":
            value = stream(value)
        setattr(translation, name, value)
    translation.save_revision().publish()
    ctx.note("translated pages", True)
    return translation


def seed(ctx, *, home, stream):
    """`stream(items)` turns (block type, value) lists into stored StreamField data (cms.demo._stream)."""
    from .models import Alert, SiteSettings

    content_locales()
    locale = Locale.objects.get(language_code="es")
    _translate(ctx, home, locale, spanish.HOME, stream)
    for path, words in spanish.PAGES.items():  # parents come before their children
        page = home
        for slug in path.split("/"):
            page = page.get_children().filter(slug=slug).first() if page is not None else None
        if page is not None:
            _translate(ctx, page, locale, words, stream)

    for alert in Alert.objects.filter(locale__language_code="en", message__startswith="Nitazene"):
        if alert.get_translation_or_none(locale) is None:
            translated = alert.copy_for_translation(locale)
            translated.message = spanish.ALERT["message"]
            translated.link_text = spanish.ALERT["link_text"]
            translated.save()
            ctx.note("translated alerts", True)

    site_settings = SiteSettings.objects.filter(site__root_page=home).first()
    if site_settings is not None and not site_settings.footer_text_es:
        site_settings.fund_name_es = spanish.FOOTER["fund_name"]
        site_settings.footer_text_es = spanish.FOOTER["footer_text"]
        site_settings.save(update_fields=["fund_name_es", "footer_text_es"])
