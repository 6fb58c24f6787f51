from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0002_resident_residence_zone")]

    operations = [
        migrations.CreateModel(
            name="RetainedIdentity",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cnp_hash", models.CharField(db_index=True, editable=False, max_length=64, verbose_name="CNP hash")),
                ("keep_until", models.DateField(verbose_name="kept until (inclusive)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
            ],
            options={
                "verbose_name": "identity kept after an account's deletion",
                "verbose_name_plural": "identities kept after accounts' deletion",
                "ordering": ["keep_until", "id"],
            },
        ),
    ]
