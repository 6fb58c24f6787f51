"""Search that finds what residents type (proposals.search): on PostgreSQL the
`ciic_ro` text search configuration (Snowball Romanian, no stop words) and a
GIN index on `search_vector`. Nothing on other databases."""

from django.db import migrations


def setup_postgres(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from proposals.search import PG_SETUP_SQL

    schema_editor.execute(PG_SETUP_SQL)


def teardown_postgres(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from proposals.search import PG_TEARDOWN_SQL

    schema_editor.execute(PG_TEARDOWN_SQL)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0006_proposal_search_columns")]

    operations = [migrations.RunPython(setup_postgres, teardown_postgres)]
