"""The site-wide alert banner, rendered into every page through portal's SITE_ALERT_PROVIDERS hook.

Alerts are translatable snippets. Whether an alert shows is decided by the original's schedule (start, expiry,
live; the default-language row, or the only row when it was written in another language); what it says is its
translation in the visitor's language when one exists, otherwise the text it was written in, marked with that
language so a screen reader reads it correctly.
"""

import copy

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from . import sitestate
from .models import Alert


def _rows(keys, language_code, state=None):
    if state is not None:
        return state.alert_rows(keys, language_code)
    return Alert.objects.filter(translation_key__in=keys, locale__language_code=language_code).select_related("locale")


def localized_alerts(alerts, language, state=None):
    """One entry per alert (translation key), in the given order, each in `language` when translated."""
    language = (language or "en").split("-")[0]
    keys = list(dict.fromkeys(alert.translation_key for alert in alerts))
    if not keys:
        return []
    translated = {alert.translation_key: alert for alert in _rows(keys, language, state)}
    chosen = {}
    for alert in alerts:
        chosen.setdefault(alert.translation_key, translated.get(alert.translation_key, alert))
    result = []
    for key in keys:
        alert = copy.copy(chosen[key])  # this request's own: the rows may be shared by every request (sitestate)
        alert.text_language = "" if alert.locale.language_code == language else alert.locale.language_code
        result.append(alert)
    return result


def governed_by_originals(alerts, state=None):
    """The current rows whose alert's original (default-language row) is current too, or which have no original."""
    keys = {alert.translation_key for alert in alerts}
    originals = {alert.translation_key: alert.pk for alert in _rows(keys, settings.LANGUAGE_CODE, state)}
    current = {alert.pk for alert in alerts}
    return [
        alert
        for alert in alerts
        if alert.translation_key not in originals or originals[alert.translation_key] in current
    ]


def render_alerts(request):
    # From the per-process copy of the alerts (cms/sitestate.py) when there is one: no query.
    state = sitestate.current(request)
    if state is not None:
        alerts = state.current_alerts(timezone.now())
    else:
        alerts = list(Alert.objects.current().select_related("locale"))
    if alerts:
        alerts = governed_by_originals(alerts, state)
    if not alerts:
        return ""
    alerts = localized_alerts(alerts, get_language(), state)
    return render_to_string("cms/includes/alerts.html", {"alerts": alerts}, request=request)
