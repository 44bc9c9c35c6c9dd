"""Trigram indexes for the staff application search (issue 18), on PostgreSQL only.

The search box matches with `icontains`, which Django writes on PostgreSQL as `UPPER("col"::text) LIKE UPPER(%s)`:
a B-tree cannot serve a pattern with a leading wildcard, so the search read every row. A GIN index with pg_trgm's
`gin_trgm_ops` on that very expression serves it (patterns of 3 characters or more). grants.selectors.staff_applications
searches the application's own columns and the organisation's columns in two index-served branches (a UNION).

`fastupdate = off`: with GIN's default pending list, new and changed rows wait in an unsorted list that every search
reads through until a VACUUM or autoanalyze merges it (a manual ANALYZE does not): after a bulk load that list makes
the search grow with the table. Applications and organisations are written rarely, so writing straight into the index
costs little.

SQLite (the development and test default) has neither GIN nor pg_trgm: there the migration does nothing.
`CREATE EXTENSION pg_trgm` needs a role allowed to create it (a superuser, or the database owner on PostgreSQL 13+,
where pg_trgm is a trusted extension).
"""

from django.db import migrations

INDEXES = [
    ("grants_app_reference_trgm", "grants_application", "reference"),
    ("grants_app_title_trgm", "grants_application", "title"),
    ("applicants_org_legal_name_trgm", "applicants_organisation", "legal_name"),
    ("applicants_org_operating_name_trgm", "applicants_organisation", "operating_name"),
    ("applicants_org_registration_trgm", "applicants_organisation", "registration_number"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops) '
            "WITH (fastupdate = off)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other objects may use it, and it costs nothing unused.


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0005_merge_eligibility_and_question_translations"),
        ("applicants", "0005_organisation_fiscal_sponsor"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
