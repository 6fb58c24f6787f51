from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import OutgoingEmail
from .services import email_queue

TRACE_FIELDS = (
    "created_at",
    "status",
    "to",
    "subject",
    "template",
    "language",
    "key",
    "attempts",
    "last_error",
    "last_attempt_at",
    "sent_at",
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The delivery log. A message may be written by hand (it is queued and
    delivered like any other); queued messages are not edited, and their text
    is shown only on the staff outbox page, where the settings allow it."""

    list_display = ("created_at", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject", "key")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("to", "subject", "body") if obj is None else TRACE_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else TRACE_FIELDS

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        row = email_queue(to=obj.to, subject=obj.subject, body=obj.body)
        obj.pk = row.pk
