from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    """Existing alerts become the default-language originals (a locale and a translation key each)."""

    dependencies = [
        ("cms", "0005_alert_bootstrap_translatable_site_settings_languages"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [BootstrapTranslatableModel("cms.Alert")]
