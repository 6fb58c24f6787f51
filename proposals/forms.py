"""Forms parse input; the services decide. Errors the services raise are put
back next to their fields with `errors_to_form`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ciic.forms import service_errors_to_form
from ciic.money import money_parse

from .models import Call, Category, Proposal
from .predicates import image_limit_check, image_rights_check

errors_to_form = service_errors_to_form  # the one helper, under this app's old name


class WhatForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_(
            "Up to 120 characters. Say what you propose, e.g. “Bike lane on Bulevardul Iuliu Maniu”."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
        help_text=_("Up to 500 characters, shown in the list of proposals."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "What problem it solves, who benefits, how it would work. Plain text or Markdown "
            "(*italic*, **bold**, lists, links)."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accepted = {c.category: c.display_description for c in call.categories.all()}
        choices = []
        for value, label in Category.choices:
            if value in accepted:
                text = f"{label} — {accepted[value]}" if accepted[value] else str(label)
                choices.append((value, text))
        self.fields["category"].choices = choices
        self.fields["category"].error_messages["invalid_choice"] = _(
            "This call does not accept proposals in this category."
        )


class WhereForm(forms.Form):
    whole_sector = forms.BooleanField(
        label=_("The proposal concerns the whole sector (no single place)"), required=False
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={"invalid": _("The location is not a valid point.")},
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={"invalid": _("The location is not a valid point.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:
            return {}
        if not data.get("whole_sector") and (
            data.get("latitude") is None or data.get("longitude") is None
        ):
            if "latitude" not in self.errors and "longitude" not in self.errors:
                self.add_error(
                    "latitude", _("Choose a place on the map or mark the proposal as sector-wide.")
                )
        return data


class CostForm(forms.Form):
    cost_estimate = forms.CharField(
        label=_("Estimated cost (lei, RON)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        maximum = f"{call.max_cost_per_proposal:,.0f}".replace(",", ".")
        self.fields["cost_estimate"].help_text = _(
            "Your best estimate, including VAT. At most %(max)s lei for this call."
        ) % {"max": maximum}

    def clean_cost_estimate(self) -> Decimal:
        # Romanian ("150.000", "150.000,50") or plain ("150000.50"); nothing guessed.
        return money_parse(self.cleaned_data["cost_estimate"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class FilesForm(forms.Form):
    images = MultipleFileField(
        label=_("Images"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "JPEG, PNG or WebP, up to 5 MB each, at most 3. Location data (EXIF) is removed."
        ),
    )
    attachments = MultipleFileField(
        label=_("PDF documents"),
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
        help_text=_("Sketches, quotes, letters of support: PDF, up to 10 MB each."),
    )
    consent_publication = forms.BooleanField(
        label=_(
            "I agree that my proposal (without my name or contact details) is published on this "
            "site and may be edited by council staff for clarity."
        ),
        required=False,
    )
    consent_image_rights = forms.BooleanField(
        label=_(
            "The images are mine or I have the right to publish them, and people in them agreed."
        ),
        required=False,
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        existing = len(self.proposal.images.all())
        new = data.get("images") or []
        limit = image_limit_check(existing=existing, adding=len(new))
        if not limit.allowed:
            self.add_error("images", limit.message)
        rights = image_rights_check(
            has_images=bool(new or existing), consent=bool(data.get("consent_image_rights"))
        )
        if not rights.allowed:
            self.add_error("consent_image_rights", rights.message)
        return data


class ListFilterForm(forms.Form):
    """GET filters of the public list; invalid values are simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    call = forms.CharField(required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    zone = forms.CharField(required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses"))]
        + [c for c in Proposal.Status.choices if c[0] != Proposal.Status.DRAFT],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("cost", _("Cost, lowest first")),
            ("-cost", _("Cost, highest first")),
            ("title", _("Title")),
            ("reference", _("Reference")),
            ("relevance", _("Relevance (with a search)")),
        ],
    )
