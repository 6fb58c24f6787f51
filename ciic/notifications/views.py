"""The outbox page (administrators, second factor): every email the platform
queued, whether and when it was delivered, and why not. With
`OUTBOX_SHOW_BODIES` (development) it shows the messages' text too, so
`make run` needs no mail server: the confirmation links are clicked here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from ciic.accounts.mixins import RulesPermissionMixin

from . import selectors
from .models import OutgoingEmail
from .services import email_rendered

PAGE_SIZE = 50


class OutboxListView(RulesPermissionMixin, TemplateView):
    permission_required = "notifications.view_outbox"
    template_name = "notifications/staff/outbox_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        status = status if status in OutgoingEmail.Status.values else ""
        page = Paginator(selectors.outbox_list(status=status), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        counts = selectors.outbox_counts()
        ctx.update(
            page=page,
            status=status,
            statuses=[
                (value, label, counts[value]) for value, label in OutgoingEmail.Status.choices
            ],
        )
        return ctx


class OutboxDetailView(RulesPermissionMixin, TemplateView):
    permission_required = "notifications.view_outbox"
    template_name = "notifications/staff/outbox_email.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        email = get_object_or_404(
            OutgoingEmail.objects.select_related("user"), pk=self.kwargs["pk"]
        )
        try:  # a message rendered at delivery, shown as it will be sent (not saved)
            email_rendered(email)
        except Exception:  # noqa: S110 - its error shows once delivery tries it
            pass
        ctx["email"] = email
        ctx["show_body"] = settings.OUTBOX_SHOW_BODIES
        return ctx
