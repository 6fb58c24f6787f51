from django.contrib import admin

from .models import Call, CallCategory, Proposal, ZoneBudget


class _ReadOnly:
    """Calls change only through `call_create` / `call_update` (the staff
    pages at /staff/calls/), which check the budgets and the phase and write
    the audit trail; the admin only shows them."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class CallCategoryInline(_ReadOnly, admin.TabularInline):
    model = CallCategory
    extra = 0


class ZoneBudgetInline(_ReadOnly, admin.TabularInline):
    model = ZoneBudget
    extra = 0


@admin.register(Call)
class CallAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("name", "year", "submission_start", "submission_end", "total_budget")
    inlines = [CallCategoryInline, ZoneBudgetInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals change only through the services (staff pages).
    Drafts are private to their author: not listed, and not readable by id."""

    list_display = ("reference", "title", "status", "category", "call", "submitted_at")
    list_filter = ("status", "category", "call")
    search_fields = ("reference", "title")

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).public()

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is not None and not obj.is_public:
            return False
        return bool(request.user.has_perm("proposals.view_staff_list"))

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
