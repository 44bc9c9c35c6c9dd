"""Per-round ranking totals (issue 18): how many applications the ranking lists and the sum of their undecided
requests, kept by database triggers so the ranking's last pages need not read every row before them.

The triggers see every write, whatever path it takes (the workflow, the scores' bulk upserts, `bulk_update`, admin
edits, data fixes in SQL):

- a score row inserted / deleted adds / removes its application (and its undecided request) to / from its round;
- a score row moved to another round (or application) moves its share;
- an application whose status or requested amount changes moves the difference in its undecided request.

"Undecided" is `grants.review.selectors.UNDECIDED_STATUSES` (in review, waitlisted), written out here because a
migration must not change with the code (tests/review/test_ranking_totals.py checks they agree). The existing rows are
counted once when the migration runs. Django never writes RankingTotals; it only reads it.
"""

from django.db import migrations, models

UNDECIDED = ("in_review", "waitlisted")
_IN = ", ".join(f"'{status}'" for status in UNDECIDED)


def _share(row):
    """The undecided request of an application row (`NEW`, `OLD` or a table alias)."""
    return f"(CASE WHEN {row}.status IN ({_IN}) THEN COALESCE({row}.requested_amount, 0) ELSE 0 END)"


def _share_of(application_id):
    return f"COALESCE((SELECT {_share('a')} FROM grants_application a WHERE a.id = {application_id}), 0)"


BACKFILL = f"""
INSERT INTO review_rankingtotals (round_id, applications, undecided_amount)
SELECT s.round_id, COUNT(*), COALESCE(SUM({_share("a")}), 0)
FROM review_applicationscore s LEFT JOIN grants_application a ON a.id = s.application_id
GROUP BY s.round_id
"""

POSTGRESQL = [
    f"""
CREATE FUNCTION review_score_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE review_rankingtotals
        SET applications = applications - 1, undecided_amount = undecided_amount - {_share_of("OLD.application_id")}
        WHERE round_id = OLD.round_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO review_rankingtotals AS t (round_id, applications, undecided_amount)
        VALUES (NEW.round_id, 1, {_share_of("NEW.application_id")})
        ON CONFLICT (round_id) DO UPDATE
        SET applications = t.applications + 1, undecided_amount = t.undecided_amount + EXCLUDED.undecided_amount;
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER review_score_totals_insert_delete AFTER INSERT OR DELETE ON review_applicationscore
FOR EACH ROW EXECUTE FUNCTION review_score_totals()
""",
    """
CREATE TRIGGER review_score_totals_update AFTER UPDATE ON review_applicationscore
FOR EACH ROW WHEN (OLD.round_id IS DISTINCT FROM NEW.round_id OR OLD.application_id IS DISTINCT FROM NEW.application_id)
EXECUTE FUNCTION review_score_totals()
""",
    f"""
CREATE FUNCTION review_application_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE review_rankingtotals t
    SET undecided_amount = t.undecided_amount + {_share("NEW")} - {_share("OLD")}
    FROM review_applicationscore s
    WHERE s.application_id = NEW.id AND t.round_id = s.round_id;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER review_application_totals AFTER UPDATE ON grants_application
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.requested_amount IS DISTINCT FROM NEW.requested_amount)
EXECUTE FUNCTION review_application_totals()
""",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS review_application_totals ON grants_application",
    "DROP TRIGGER IF EXISTS review_score_totals_update ON review_applicationscore",
    "DROP TRIGGER IF EXISTS review_score_totals_insert_delete ON review_applicationscore",
    "DROP FUNCTION IF EXISTS review_application_totals()",
    "DROP FUNCTION IF EXISTS review_score_totals()",
]


def _sqlite_remove(row):
    return f"""UPDATE review_rankingtotals
        SET applications = applications - 1, undecided_amount = undecided_amount - {_share_of(f"{row}.application_id")}
        WHERE round_id = {row}.round_id;"""


def _sqlite_add(row):
    return f"""INSERT OR IGNORE INTO review_rankingtotals (round_id, applications, undecided_amount)
        VALUES ({row}.round_id, 0, 0);
    UPDATE review_rankingtotals
        SET applications = applications + 1, undecided_amount = undecided_amount + {_share_of(f"{row}.application_id")}
        WHERE round_id = {row}.round_id;"""


SQLITE = [
    f"CREATE TRIGGER review_score_totals_insert AFTER INSERT ON review_applicationscore BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER review_score_totals_delete AFTER DELETE ON review_applicationscore BEGIN {_sqlite_remove('OLD')} END",
    f"""CREATE TRIGGER review_score_totals_update AFTER UPDATE ON review_applicationscore
    WHEN OLD.round_id IS NOT NEW.round_id OR OLD.application_id IS NOT NEW.application_id
    BEGIN {_sqlite_remove("OLD")} {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER review_application_totals AFTER UPDATE ON grants_application
    WHEN OLD.status IS NOT NEW.status OR OLD.requested_amount IS NOT NEW.requested_amount
    BEGIN
    UPDATE review_rankingtotals SET undecided_amount = undecided_amount + {_share("NEW")} - {_share("OLD")}
        WHERE round_id IN (SELECT s.round_id FROM review_applicationscore s WHERE s.application_id = NEW.id);
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS review_application_totals",
    "DROP TRIGGER IF EXISTS review_score_totals_update",
    "DROP TRIGGER IF EXISTS review_score_totals_delete",
    "DROP TRIGGER IF EXISTS review_score_totals_insert",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"review.0005: no ranking-totals triggers written for {vendor}")
    schema_editor.execute(BACKFILL, params=None)
    for sql in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0006_trigram_search_indexes"),
        ("review", "0004_criterion_key_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="RankingTotals",
            fields=[
                (
                    "round",
                    models.OneToOneField(
                        on_delete=models.CASCADE,
                        primary_key=True,
                        related_name="ranking_totals",
                        serialize=False,
                        to="grants.fundinground",
                    ),
                ),
                ("applications", models.IntegerField(default=0)),
                ("undecided_amount", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
            ],
            options={"verbose_name": "ranking totals", "verbose_name_plural": "ranking totals"},
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
