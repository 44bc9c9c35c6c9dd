"""PostgreSQL triggers that make tables append-only in the database itself, below Django.

The ledger (entries, transactions) and the audit log refuse UPDATE and DELETE from any client: raw SQL, a shell, a
bug. Plain SQL in migrations rather than django-pgtrigger: three tables, one function, no new dependency and no model
Meta that every later migration must carry. SQLite keeps Django-level protection only (fund.models.AppendOnlyModel).

A deliberate repair (a data migration of a future Wagtail release, say) runs `SET LOCAL portal.allow_append_only_change
= 'on'` in its own transaction first; nothing in the application does.
"""

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('portal.allow_append_only_change', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: this table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0001', HINT = 'Post a reversing transaction instead.';
END
$$;
"""


def _trigger_name(table):
    return f"{table}_append_only"


def install(tables):
    """A RunPython operation body installing the triggers on `tables` (PostgreSQL only)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {_trigger_name(table)} ON "{table}"')
            schema_editor.execute(
                f'CREATE TRIGGER {_trigger_name(table)} BEFORE UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION portal_refuse_append_only_change()"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {_trigger_name(table)} ON "{table}"')

    return forwards, backwards
