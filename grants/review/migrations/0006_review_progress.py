"""Review progress per application (issue 18): its round, whether it is in review, and its active (not recused),
waiting (assigned) and done (completed) assignments, kept by database triggers so the staff work queue seeks in two
indexes instead of aggregating every assignment of every application in review on each view of the admin home:

- an assignment inserted / deleted / changing status (or application) adds / removes its counts;
- an application inserted in review, or whose status or round changes, gets a row (in review) or updates its flag.

A row exists for every application in review and every application that has had an assignment. Statuses are written
out here because a migration must not change with the code (tests/grants/test_workqueue.py checks they agree). The
existing rows are counted once when the migration runs. Also a partial index on the assignments still waiting, for the
overdue reviews. Django never writes ReviewProgress; it only reads it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


IN_REVIEW, ASSIGNED, RECUSED, COMPLETED = "in_review", "assigned", "recused", "completed"


def _counts(row, sign="+"):
    return ", ".join(
        f"{column} = {column} {sign} (CASE WHEN {row}.status {test} THEN 1 ELSE 0 END)"
        for column, test in (
            ("active", f"<> '{RECUSED}'"),
            ("pending", f"= '{ASSIGNED}'"),
            ("completed", f"= '{COMPLETED}'"),
        )
    )


COLUMNS = "application_id, round_id, in_review, active, pending, completed"

BACKFILL = f"""
INSERT INTO review_reviewprogress ({COLUMNS})
SELECT a.id, a.round_id, a.status = '{IN_REVIEW}',
    COALESCE(SUM(CASE WHEN s.status <> '{RECUSED}' THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN s.status = '{ASSIGNED}' THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN s.status = '{COMPLETED}' THEN 1 ELSE 0 END), 0)
FROM grants_application a LEFT JOIN review_assignment s ON s.application_id = a.id
WHERE a.status = '{IN_REVIEW}' OR s.id IS NOT NULL
GROUP BY a.id, a.round_id, a.status
"""

POSTGRESQL = [
    f"""
CREATE FUNCTION review_progress_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE review_reviewprogress SET {_counts("OLD", "-")} WHERE application_id = OLD.application_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO review_reviewprogress AS p ({COLUMNS})
        SELECT a.id, a.round_id, a.status = '{IN_REVIEW}', 0, 0, 0 FROM grants_application a
        WHERE a.id = NEW.application_id
        ON CONFLICT (application_id) DO NOTHING;
        UPDATE review_reviewprogress SET {_counts("NEW")} WHERE application_id = NEW.application_id;
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER review_progress_assignment_insert_delete AFTER INSERT OR DELETE ON review_assignment
FOR EACH ROW EXECUTE FUNCTION review_progress_assignment()
""",
    """
CREATE TRIGGER review_progress_assignment_update AFTER UPDATE ON review_assignment
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.application_id IS DISTINCT FROM NEW.application_id)
EXECUTE FUNCTION review_progress_assignment()
""",
    f"""
CREATE FUNCTION review_progress_application() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE review_reviewprogress SET in_review = (NEW.status = '{IN_REVIEW}'), round_id = NEW.round_id
        WHERE application_id = NEW.id;
    END IF;
    IF NEW.status = '{IN_REVIEW}' THEN
        INSERT INTO review_reviewprogress ({COLUMNS}) VALUES (NEW.id, NEW.round_id, true, 0, 0, 0)
        ON CONFLICT (application_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$
""",
    f"""
CREATE TRIGGER review_progress_application_insert AFTER INSERT ON grants_application
FOR EACH ROW WHEN (NEW.status = '{IN_REVIEW}') EXECUTE FUNCTION review_progress_application()
""",
    """
CREATE TRIGGER review_progress_application_update AFTER UPDATE ON grants_application
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.round_id IS DISTINCT FROM NEW.round_id)
EXECUTE FUNCTION review_progress_application()
""",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS review_progress_application_update ON grants_application",
    "DROP TRIGGER IF EXISTS review_progress_application_insert ON grants_application",
    "DROP TRIGGER IF EXISTS review_progress_assignment_update ON review_assignment",
    "DROP TRIGGER IF EXISTS review_progress_assignment_insert_delete ON review_assignment",
    "DROP FUNCTION IF EXISTS review_progress_application()",
    "DROP FUNCTION IF EXISTS review_progress_assignment()",
]


def _sqlite_add(row):
    return f"""INSERT OR IGNORE INTO review_reviewprogress ({COLUMNS})
        SELECT a.id, a.round_id, a.status = '{IN_REVIEW}', 0, 0, 0 FROM grants_application a
        WHERE a.id = {row}.application_id;
    UPDATE review_reviewprogress SET {_counts(row)} WHERE application_id = {row}.application_id;"""


def _sqlite_remove(row):
    return f"UPDATE review_reviewprogress SET {_counts(row, '-')} WHERE application_id = {row}.application_id;"


SQLITE = [
    f"CREATE TRIGGER review_progress_assignment_insert AFTER INSERT ON review_assignment BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER review_progress_assignment_delete AFTER DELETE ON review_assignment BEGIN {_sqlite_remove('OLD')} END",
    f"""CREATE TRIGGER review_progress_assignment_update AFTER UPDATE ON review_assignment
    WHEN OLD.status IS NOT NEW.status OR OLD.application_id IS NOT NEW.application_id
    BEGIN {_sqlite_remove("OLD")} {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER review_progress_application_insert AFTER INSERT ON grants_application
    WHEN NEW.status = '{IN_REVIEW}'
    BEGIN INSERT OR IGNORE INTO review_reviewprogress ({COLUMNS}) VALUES (NEW.id, NEW.round_id, 1, 0, 0, 0); END""",
    f"""CREATE TRIGGER review_progress_application_update AFTER UPDATE ON grants_application
    WHEN OLD.status IS NOT NEW.status OR OLD.round_id IS NOT NEW.round_id
    BEGIN
    UPDATE review_reviewprogress SET in_review = (NEW.status = '{IN_REVIEW}'), round_id = NEW.round_id
        WHERE application_id = NEW.id;
    INSERT OR IGNORE INTO review_reviewprogress ({COLUMNS})
        SELECT NEW.id, NEW.round_id, 1, 0, 0, 0 WHERE NEW.status = '{IN_REVIEW}';
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS review_progress_application_update",
    "DROP TRIGGER IF EXISTS review_progress_application_insert",
    "DROP TRIGGER IF EXISTS review_progress_assignment_update",
    "DROP TRIGGER IF EXISTS review_progress_assignment_delete",
    "DROP TRIGGER IF EXISTS review_progress_assignment_insert",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"review.0006: no review-progress triggers written for {vendor}")
    schema_editor.execute(BACKFILL, params=None)
    for sql in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0006_trigram_search_indexes"),
        ("review", "0005_ranking_totals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewProgress",
            fields=[
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="review_progress",
                        serialize=False,
                        to="grants.application",
                    ),
                ),
                ("in_review", models.BooleanField(default=False)),
                ("active", models.IntegerField(default=0)),
                ("pending", models.IntegerField(default=0)),
                ("completed", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "review progress",
                "verbose_name_plural": "review progress",
            },
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("status", "assigned")), fields=["due_at"], name="review_assignment_waiting"
            ),
        ),
        migrations.AddField(
            model_name="reviewprogress",
            name="round",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="grants.fundinground"
            ),
        ),
        migrations.AddIndex(
            model_name="reviewprogress",
            index=models.Index(fields=["round", "in_review", "active"], name="review_progress_short"),
        ),
        migrations.AddIndex(
            model_name="reviewprogress",
            index=models.Index(
                condition=models.Q(("completed__gt", 0), ("in_review", True), ("pending", 0)),
                fields=["application"],
                name="review_progress_ready",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
