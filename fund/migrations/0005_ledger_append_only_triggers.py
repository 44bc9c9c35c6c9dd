from django.db import migrations

from portal.db.append_only import install

forwards, backwards = install(["fund_entry", "fund_ledgertransaction"])


class Migration(migrations.Migration):
    dependencies = [("fund", "0004_campaign_positions_disputes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
