from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox_unpickle_messages")]

    operations = [
        migrations.RemoveField(model_name="outgoingemail", name="message"),
    ]
