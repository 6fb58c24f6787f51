"""Staff pages of calls (administrators, with the second factor): the list,
a new call, and changes to a call, through `call_create` and `call_update`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ciic.accounts.mixins import RulesPermissionMixin
from ciic.forms import service_errors_to_form

from .. import selectors, services
from ..models import Call, Phase
from .forms import CallForm


class CallListView(RulesPermissionMixin, TemplateView):
    permission_required = "proposals.manage_calls"
    template_name = "proposals/staff_calls.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [
            {"call": call, "phase": Phase(call.phase).label} for call in selectors.calls_for_staff()
        ]
        return ctx


class CallFormView(RulesPermissionMixin, View):
    """New call (no `pk`) or changes to one."""

    permission_required = "proposals.manage_calls"
    template_name = "proposals/staff_call_form.html"

    def _call(self) -> Call | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(selectors.calls_for_staff(), pk=pk) if pk else None

    def _form(self, call: Call | None, data: Any = None) -> CallForm:
        return CallForm(data, zones=list(selectors.zones_all()), call=call)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        call = self._call()
        return self._render(call, self._form(call))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        call = self._call()
        form = self._form(call, request.POST)
        if form.is_valid():
            try:
                if call is None:
                    call = services.call_create(
                        actor=request.user,
                        **form.call_data(),
                        categories=form.categories(),
                        zone_budgets=form.zone_budgets(),
                    )
                    messages.success(request, _("The call was created."))
                else:
                    call = services.call_update(
                        actor=request.user,
                        call=call,
                        data=form.call_data(),
                        categories=form.categories(),
                        zone_budgets=form.zone_budgets(),
                    )
                    messages.success(request, _("The call was saved."))
            except ValidationError as exc:
                service_errors_to_form(form, exc)
            else:
                return redirect("proposals:staff_calls")
        return self._render(call, form, status=400)

    def _render(self, call: Call | None, form: CallForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"call": call, "form": form}, status=status)
