from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_status_notifications_to_outbox")]

    operations = [migrations.DeleteModel(name="ProposalNotification")]
