"""Give the role groups their permissions on a new database.

The post_migrate handler (ciic.accounts.roles) keeps them up to date later;
this migration makes the first `migrate` of a new installation end with every
role holding its grants, whatever the order of INSTALLED_APPS."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS_WITH_GRANTED_PERMISSIONS = ("wagtailadmin", "wagtailcore", "wagtailimages", "wagtaildocs")


def forwards(apps, schema_editor):
    from ciic.accounts.roles import role_groups_sync

    using = schema_editor.connection.alias
    # Permissions of models are normally created after migrate; make sure the
    # ones granted below exist now.
    for label in APPS_WITH_GRANTED_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    role_groups_sync(apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        # After the migrations that create the permissions, the root page and
        # the root collection granted on (named: `__latest__` is unreliable for
        # apps whose history has merges).
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
