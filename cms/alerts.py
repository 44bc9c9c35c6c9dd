"""The site-wide alert banner, rendered into every page through portal's SITE_ALERT_PROVIDERS hook."""

from django.template.loader import render_to_string


def render_alerts(request):
    from .models import Alert

    alerts = list(Alert.objects.current())
    if not alerts:
        return ""
    return render_to_string("cms/includes/alerts.html", {"alerts": alerts}, request=request)
