import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("review", "0003_rubric_versions_carry_data")]

    operations = [
        migrations.AlterField(
            model_name="criterion",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
    ]
