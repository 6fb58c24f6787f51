from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .events import event_sentence
from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "sentence", "action", "object_type")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_label", "object_id")
    readonly_fields = [f.name for f in Event._meta.fields]

    @admin.display(description=_("what happened"))
    def sentence(self, obj: Event) -> str:
        return event_sentence(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
