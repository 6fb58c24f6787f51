"""Data: messages queued before the outbox kept them as pickled EmailMessage
objects get their fields (text, HTML, recipients, headers), so that nothing
waiting for delivery is lost when the pickled column goes (0004)."""

import pickle  # noqa: S403 - our own outbox rows, written by this application

from django.db import migrations


def unpickle(apps, schema_editor):
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    for row in OutgoingEmail.objects.exclude(message=b"").iterator():
        try:
            message = pickle.loads(bytes(row.message))  # noqa: S301
        except Exception:  # unreadable: say so on the outbox page, never send it empty
            row.status = "failed"
            row.last_error = "the queued message could not be read during migration 0003"
            row.save(update_fields=["status", "last_error"])
            continue
        body, html = str(message.body), ""
        if getattr(message, "content_subtype", "plain") == "html":
            body, html = "", body
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html" and not html:
                html = str(content)
        row.body = body
        row.html = html
        row.to = list(message.to)
        row.cc = list(message.cc)
        row.bcc = list(message.bcc)
        row.reply_to = list(message.reply_to)
        row.from_email = str(message.from_email or "")
        row.headers = {str(k): str(v) for k, v in message.extra_headers.items()}
        row.save(
            update_fields=["body", "html", "to", "cc", "bcc", "reply_to", "from_email", "headers"]
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox_rendered_fields")]

    operations = [migrations.RunPython(unpickle, migrations.RunPython.noop)]
