"""Enable `unaccent` on PostgreSQL when the role may (so "gradina" finds
"grădină"); search falls back to the plain 'simple' configuration otherwise."""

from django.db import migrations


def enable_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        if cur.fetchone():
            return
        cur.execute("SAVEPOINT ciic_unaccent")
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except Exception:  # noqa: BLE001 - not allowed for this role: search still works
            cur.execute("ROLLBACK TO SAVEPOINT ciic_unaccent")
        else:
            cur.execute("RELEASE SAVEPOINT ciic_unaccent")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_calls_and_proposals")]

    operations = [migrations.RunPython(enable_unaccent, migrations.RunPython.noop, elidable=True)]
