"""The audit log (`portal.audit.audit` writes Wagtail's ModelLogEntry; page actions write PageLogEntry) refuses UPDATE
and DELETE on PostgreSQL. See portal/db/append_only.py."""

from django.db import migrations

from portal.db.append_only import install

forwards, backwards = install(["wagtailcore_modellogentry", "wagtailcore_pagelogentry"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_scheduled_runs"), ("wagtailcore", "0089_log_entry_data_json_null_to_object")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
