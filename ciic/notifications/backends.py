"""An email backend that only writes to the outbox and enqueues delivery."""

import pickle  # noqa: S403 - we pickle our own EmailMessage objects, never user input
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from ciic.jobs import enqueue

from .models import OutgoingEmail


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from .tasks import email_deliver

        count = 0
        for message in email_messages:
            message.connection = None
            row = OutgoingEmail.objects.create(
                to=list(message.recipients()),
                subject=str(message.subject)[:300],
                message=pickle.dumps(message),
            )
            enqueue(email_deliver, row.pk)
            count += 1
        return count
