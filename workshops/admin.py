from django.contrib import admin

from .models import Idea, Programme, Workshop


class _ReadOnly(admin.ModelAdmin):
    """Read-only: workshops change only through the services (the facilitator's
    pages), which check the rules and write the audit events."""

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return bool(request.user.has_perm("workshops.view_staff_pages"))

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Programme)
class ProgrammeAdmin(_ReadOnly):
    list_display = ("name", "target_count", "period_start", "period_end")


@admin.register(Workshop)
class WorkshopAdmin(_ReadOnly):
    list_display = ("number", "theme", "zone", "starts_at", "status", "capacity", "walk_ins")
    list_filter = ("status", "programme", "zone")
    search_fields = ("theme", "venue_name")
    exclude = ("minutes_internal",)


@admin.register(Idea)
class IdeaAdmin(_ReadOnly):
    list_display = ("title", "workshop", "category", "proposal")
    list_filter = ("category",)
    search_fields = ("title",)
    exclude = ("resident", "consent_recorded_by", "created_by")
