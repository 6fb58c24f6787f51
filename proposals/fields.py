"""Errors about a proposal's fields, named as the resident sees them: the
field's label and the step of the form where it is filled in."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Proposal

# field -> the step of the form that edits it
FIELD_STEPS = {
    "title": "what",
    "summary": "what",
    "description": "what",
    "category": "what",
    "latitude": "where",
    "longitude": "where",
    "whole_sector": "where",
    "zone": "where",
    "cost_estimate": "cost",
    "consent_publication": "files",
    "consent_image_rights": "files",
    "images": "files",
    "attachments": "files",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    label: str
    step: str
    messages: list[str]

    def url(self, proposal: Proposal) -> str:
        return reverse("proposals:edit", kwargs={"pk": proposal.pk, "step": self.step})


def field_label(field: str) -> str:
    if field in ("latitude", "longitude"):
        return _("Location")
    try:
        label = str(getattr(Proposal._meta.get_field(field), "verbose_name", field))
        return label[:1].upper() + label[1:]
    except Exception:  # noqa: BLE001 - a form-only field (images, attachments)
        return {"images": _("Images"), "attachments": _("Documents")}.get(field, field)


def missing_by_step(errors: dict[str, list[str]]) -> list[FieldError]:
    """`{"cost_estimate": ["…"]}` -> [FieldError(label="Cost estimate (RON)", step="cost", …)]."""
    return [
        FieldError(field, field_label(field), FIELD_STEPS.get(field, "what"), list(msgs))
        for field, msgs in errors.items()
    ]


def field_messages(exc: ValidationError) -> list[str]:
    """A service's ValidationError as sentences that name the field: "Location: …"."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    out = []
    for field, errors in exc.message_dict.items():
        for message in errors:
            out.append(message if field == "__all__" else f"{field_label(field)}: {message}")
    return out
