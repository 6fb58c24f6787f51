"""The resident's own data: a readable page, a JSON download, and the
deletion of the account (GDPR articles 15, 17 and 20)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ciic import personal_data

from . import services
from .forms import AccountDeleteForm
from .models import User


def _labels() -> dict[str, str]:
    """Readable names for the keys of the export (the JSON keeps the keys)."""
    return {
        "email": _("Email"),
        "preferred_language": _("Preferred language"),
        "created": _("Created"),
        "updated": _("Updated"),
        "last_login": _("Last log-in"),
        "roles": _("Roles"),
        "email_addresses": _("Email addresses"),
        "confirmed": _("Confirmed"),
        "primary": _("Primary"),
        "two_factor_methods": _("Two-factor authentication"),
        "profile": _("Profile"),
        "full_name": _("Full name"),
        "date_of_birth": _("Date of birth"),
        "address": _("Residence address"),
        "phone": _("Phone"),
        "zone_of_residence": _("Zone of residence"),
        "verifications": _("Verification history"),
        "verified_at": _("Verified"),
        "method": _("Method"),
        "document_checked": _("Document checked"),
        "lives_in_sector_6": _("Lives in Sector 6"),
        "valid_until": _("Valid until"),
        "ended_at": _("Ended"),
        "ended_by": _("Ended by"),
        "reason": _("Reason"),
        "time": _("Time"),
        "action": _("Action"),
        "by": _("By"),
        "object": _("About"),
        "before": _("Before"),
        "after": _("After"),
        "subject": _("Subject"),
        "text": _("Text"),
        "status": _("Status"),
        "sent": _("Sent"),
        "reference": _("Reference"),
        "call": _("Call"),
        "title": _("Title"),
        "summary": _("Summary"),
        "description": _("Description"),
        "category": _("Category"),
        "estimated_cost": _("Estimated cost"),
        "whole_sector": _("Whole sector"),
        "latitude": _("Latitude"),
        "longitude": _("Longitude"),
        "zone": _("Zone"),
        "images": _("Images"),
        "file": _("File"),
        "documents": _("Documents"),
        "submitted": _("Submitted"),
    }


def _tree(value: Any, labels: dict[str, str]) -> dict[str, Any]:
    """JSON data as nodes a template can draw without knowing their shape."""
    if isinstance(value, dict):
        return {
            "kind": "dict",
            "items": [
                (labels.get(k, k.replace("_", " ").capitalize()), _tree(v, labels))
                for k, v in value.items()
            ],
        }
    if isinstance(value, list):
        return {"kind": "list", "items": [_tree(v, labels) for v in value]}
    if value is None or value == "":
        return {"kind": "empty"}
    if isinstance(value, bool):
        return {"kind": "value", "value": _("yes") if value else _("no")}
    return {"kind": "value", "value": value}


class MyDataView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        labels = _labels()
        sections = [
            {"key": s.key, "title": s.title, "tree": _tree(data, labels)}
            for s, data in personal_data.export_all(user)
        ]
        return render(request, "accounts/my_data.html", {"sections": sections})


class MyDataJsonView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        payload: dict[str, Any] = {
            "exported_at": timezone.now().isoformat(),
            **{s.key: data for s, data in personal_data.export_all(user)},
        }
        response = HttpResponse(
            json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        name = f"ciic6-date-personale-{timezone.localdate().isoformat()}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


class AccountDeleteView(LoginRequiredMixin, View):
    template_name = "accounts/account_delete.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": AccountDeleteForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = cast(User, request.user)
        form = AccountDeleteForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.account_delete(actor=user, user=user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                logout(request)
                messages.success(request, _("Your account and your personal data were deleted."))
                return redirect("/")
        return render(request, self.template_name, {"form": form}, status=400)
