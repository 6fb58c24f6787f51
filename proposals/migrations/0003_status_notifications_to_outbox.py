"""Data: status emails still owed to authors (ProposalNotification rows never
sent, e.g. after a Redis outage) move to the one outbox, rendered as the
platform's notify() renders them, with the same one-email-per-event key, before
the table goes (0004)."""

from django.db import migrations


def move_to_outbox(apps, schema_editor):
    ProposalNotification = apps.get_model("proposals", "ProposalNotification")
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    Event = apps.get_model("audit", "Event")
    pending = ProposalNotification.objects.filter(sent_at__isnull=True).select_related(
        "proposal__author"
    )
    if not pending.exists():
        return
    from django.conf import settings
    from django.utils import translation

    from ciic.links import site_url
    from ciic.notifications.rendering import email_render

    labels = dict(apps.get_model("proposals", "Proposal")._meta.get_field("status").choices)
    for row in pending:
        key = f"proposal-status:{row.event_id}"
        if OutgoingEmail.objects.filter(key=key).exists():
            continue
        proposal, author = row.proposal, row.proposal.author
        event = Event.objects.filter(pk=row.event_id).first()
        language = author.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            label = translation.gettext(str(labels.get(row.to_status, row.to_status)))
        rendered = email_render(
            "proposals/email/status_changed",
            {
                "user": author,
                "email": author.email,
                "proposal": proposal,
                "status": row.to_status,
                "status_label": label,
                "note": ((event.after or {}).get("note", "") if event else ""),
                "url": site_url(f"/proposals/{proposal.reference}/"),
            },
            language=language,
        )
        OutgoingEmail.objects.create(
            key=key,
            user=author,
            template="proposals/email/status_changed",
            language=language,
            to=[author.email],
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0002_unaccent_extension"),
        ("notifications", "0004_outbox_drop_pickled_message"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_to_outbox, migrations.RunPython.noop)]
