import logging
import pickle  # noqa: S403 - only our own outbox rows are unpickled
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12


def email_deliver(*, email_id: int) -> bool:
    """Deliver one outbox message through the real backend. Safe to call twice:
    the row is locked and a sent message is not sent again."""
    with transaction.atomic():
        row = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.status != OutgoingEmail.Status.PENDING:
            return False
        message = pickle.loads(bytes(row.message))  # noqa: S301
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        try:
            connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND)
            message.connection = connection
            message.send()
        except Exception as exc:
            logger.warning("delivery of email %s failed: %s", row.pk, exc)
            row.last_error = str(exc)[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutgoingEmail.Status.FAILED
            row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            return False
        row.status = OutgoingEmail.Status.SENT
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "last_attempt_at", "status", "sent_at", "last_error"])
        return True


def emails_pending_ids(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
