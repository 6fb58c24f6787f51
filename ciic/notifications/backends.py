"""An email backend that only writes to the outbox and enqueues delivery.

It is `EMAIL_BACKEND`, for the mail that libraries send through Django's mail
API (Wagtail's moderation notices, `mail_admins`). The platform's own emails
call `ciic.notifications.services.notify` instead (templates, language)."""

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from .services import email_queue

logger = logging.getLogger(__name__)


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            body, html = str(message.body), ""
            if message.content_subtype == "html":
                body, html = "", str(message.body)
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html" and not html:
                    html = str(content)
            if message.attachments:
                logger.warning(
                    "outbox: %d attachment(s) of %r not kept",
                    len(message.attachments),
                    message.subject,
                )
            email_queue(
                to=list(message.to),
                cc=list(message.cc),
                bcc=list(message.bcc),
                reply_to=list(message.reply_to),
                subject=str(message.subject),
                body=str(body),
                html=html,
                from_email=str(message.from_email or ""),
                headers={str(k): str(v) for k, v in message.extra_headers.items()},
            )
            count += 1
        return count
