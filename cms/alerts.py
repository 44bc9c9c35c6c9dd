"""The site-wide alert banner, rendered into every page through portal's SITE_ALERT_PROVIDERS hook.

Alerts are translatable snippets. Whether an alert shows is decided by the original's schedule (start, expiry,
live; the default-language row, or the only row when it was written in another language); what it says is its
translation in the visitor's language when one exists, otherwise the text it was written in, marked with that
language so a screen reader reads it correctly.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .models import Alert


def localized_alerts(alerts, language):
    """One entry per alert (translation key), in the given order, each in `language` when translated."""
    language = (language or "en").split("-")[0]
    keys = list(dict.fromkeys(alert.translation_key for alert in alerts))
    if not keys:
        return []
    translated = {
        alert.translation_key: alert
        for alert in Alert.objects.filter(translation_key__in=keys, locale__language_code=language).select_related(
            "locale"
        )
    }
    chosen = {}
    for alert in alerts:
        chosen.setdefault(alert.translation_key, translated.get(alert.translation_key, alert))
    result = []
    for key in keys:
        alert = chosen[key]
        alert.text_language = "" if alert.locale.language_code == language else alert.locale.language_code
        result.append(alert)
    return result


def governed_by_originals(alerts):
    """The current rows whose alert's original (default-language row) is current too, or which have no original."""
    keys = {alert.translation_key for alert in alerts}
    originals = dict(
        Alert.objects.filter(translation_key__in=keys, locale__language_code=settings.LANGUAGE_CODE).values_list(
            "translation_key", "pk"
        )
    )
    current = {alert.pk for alert in alerts}
    return [
        alert
        for alert in alerts
        if alert.translation_key not in originals or originals[alert.translation_key] in current
    ]


def render_alerts(request):
    alerts = list(Alert.objects.current().select_related("locale"))
    if alerts:
        alerts = governed_by_originals(alerts)
    if not alerts:
        return ""
    alerts = localized_alerts(alerts, get_language())
    return render_to_string("cms/includes/alerts.html", {"alerts": alerts}, request=request)
