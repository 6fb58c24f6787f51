from django.contrib import admin
from django.http import HttpRequest

from .models import ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are scheduled and moved by the services that own them."""

    list_display = ("key", "func", "run_at", "status", "attempts", "done_at")
    list_filter = ("status", "queue")
    search_fields = ("key", "func")
    ordering = ("-run_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
