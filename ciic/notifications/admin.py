from django.contrib import admin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    exclude = ("message",)
    readonly_fields = (
        "created_at",
        "to",
        "subject",
        "attempts",
        "last_error",
        "last_attempt_at",
        "sent_at",
    )
