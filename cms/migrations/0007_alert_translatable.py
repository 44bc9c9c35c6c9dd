import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Alerts are translatable snippets: every alert has a locale and a translation key, unique together."""

    dependencies = [("cms", "0006_alert_bootstrap_locale")]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterField(
            model_name="alert",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterUniqueTogether(name="alert", unique_together={("translation_key", "locale")}),
    ]
