"""The rollup gains its segment level: per-award rows record their segment (round, fund, organisation type and main
neighbourhood) and `MetricRollupSegment` holds their sums per segment, which the dashboard reads. The rollup is derived
data, so its table is recreated and both levels are built from the approved values."""

import django.db.models.deletion
from django.db import migrations, models

from grants.impact.rollup import rollup_rebuild_with


def build(apps, schema_editor):
    rollup_rebuild_with(
        rollup_model=apps.get_model("impact", "MetricRollup"),
        segment_model=apps.get_model("impact", "MetricRollupSegment"),
        value_model=apps.get_model("impact", "MetricValue"),
    )


def figures(*, segment):
    fields = [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("year", models.PositiveSmallIntegerField()),
        ("quarter", models.PositiveSmallIntegerField()),
        ("total", models.DecimalField(decimal_places=2, max_digits=20)),
        ("count", models.PositiveIntegerField()),
        ("latest", models.DecimalField(decimal_places=2, max_digits=20)),
        ("latest_in_year", models.DecimalField(decimal_places=2, max_digits=20)),
        ("latest_in_quarter", models.DecimalField(decimal_places=2, max_digits=20)),
        ("latest_in_quarter_number", models.DecimalField(decimal_places=2, max_digits=20)),
        ("org_type", models.CharField(max_length=32)),
        (
            "fund",
            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="fund.fund"),
        ),
        (
            "metric",
            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="impact.metric"),
        ),
        (
            "neighbourhood",
            models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="applicants.neighbourhood"
            ),
        ),
        (
            "org_neighbourhood",
            models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="applicants.neighbourhood"
            ),
        ),
        (
            "round",
            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="grants.fundinground"),
        ),
    ]
    if not segment:
        fields.append(
            (
                "award",
                models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="awards.award"),
            )
        )
    return fields


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0005_organisation_fiscal_sponsor"),
        ("awards", "0005_payees_in_three_countries"),
        ("fund", "0008_fund_language"),
        ("grants", "0005_merge_eligibility_and_question_translations"),
        ("impact", "0005_metric_rollup"),
    ]

    operations = [
        migrations.DeleteModel(name="MetricRollup"),
        migrations.CreateModel(
            name="MetricRollup",
            fields=figures(segment=False),
            options={
                "verbose_name": "metric rollup",
                "verbose_name_plural": "metric rollups",
                "indexes": [
                    models.Index(
                        fields=["round", "fund", "org_type", "org_neighbourhood"], name="impact_rollup_segment_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MetricRollupSegment",
            fields=figures(segment=True),
            options={
                "indexes": [
                    models.Index(
                        fields=["round", "fund", "org_type", "org_neighbourhood"], name="impact_segment_key_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
