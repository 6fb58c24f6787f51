from django.contrib import admin

from .models import Call, CallCategory, Proposal, ZoneBudget


class CallCategoryInline(admin.TabularInline):
    model = CallCategory
    extra = 0


class ZoneBudgetInline(admin.TabularInline):
    model = ZoneBudget
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "submission_start", "submission_end", "total_budget")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CallCategoryInline, ZoneBudgetInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals change only through the services (staff pages)."""

    list_display = ("reference", "title", "status", "category", "call", "submitted_at")
    list_filter = ("status", "category", "call")
    search_fields = ("reference", "title")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
