from django.db import migrations


def seed(apps, schema_editor):
    from grants.impact.catalogue import seed_metrics

    seed_metrics(apps.get_model("impact", "Metric"))


class Migration(migrations.Migration):
    dependencies = [("impact", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
