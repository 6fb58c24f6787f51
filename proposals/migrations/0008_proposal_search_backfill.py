"""Fill in the search columns of the existing proposals (proposals.search).

Imports `proposals.search`: pure text functions and one UPDATE statement, no
models; the stems must be those the running code searches for."""

from django.db import migrations


def backfill(apps, schema_editor):
    from proposals.search import search_index

    Proposal = apps.get_model("proposals", "Proposal")
    rows = Proposal.objects.using(schema_editor.connection.alias).only(
        "pk", "reference", "title", "summary", "description"
    )
    search_index(rows.iterator(chunk_size=500), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0007_proposal_search_index")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
