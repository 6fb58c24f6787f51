"""Forms parse input; the services decide. Errors the services raise are put
back next to their fields with `errors_to_form`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ciic.accounts.models import Role, User
from ciic.eligibility.models import DocumentType
from geo.models import Area
from proposals.models import Category

from .models import Workshop


def errors_to_form(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's errors next to their fields (the rest above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _zones() -> Any:
    return Area.objects.filter(kind=Area.Kind.ZONE).order_by("name")


class WorkshopForm(forms.ModelForm):
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_clash = forms.BooleanField(
        label=_("Another workshop is at this venue at that time, and that is right"),
        required=False,
    )
    open_registration = forms.BooleanField(label=_("Open registration now"), required=False)

    class Meta:
        model = Workshop
        fields = [
            "theme",
            "description",
            "zone",
            "venue_name",
            "venue_address",
            "latitude",
            "longitude",
            "starts_at",
            "ends_at",
            "capacity",
            "accessibility_notes",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = _zones()
        self.fields["facilitators"].queryset = User.objects.filter(
            groups__name=Role.FACILITATOR
        ).order_by("email")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if editing:
            del self.fields["facilitators"]
            del self.fields["open_registration"]

    def _post_clean(self) -> None:
        # The services validate the model; the form only parses.
        pass


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("open", "open"), ("postpone", "postpone"), ("cancel", "cancel"), ("held", "held")]
    )
    note = forms.CharField(label=_("Reason"), required=False, max_length=500)


class WalkInsForm(forms.Form):
    walk_ins = forms.IntegerField(
        label=_("Walk-ins (not registered)"), min_value=0, max_value=10000
    )


class MinutesForm(forms.Form):
    minutes_public = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown on the workshop's page."),
    )
    minutes_internal = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by staff."),
    )


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    zone = forms.ModelChoiceField(
        label=_("Planning zone"), queryset=Area.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = _zones()


class IdeaProposalForm(forms.Form):
    email = forms.EmailField(
        label=_("The resident's email address (their account on this platform)")
    )
    consent = forms.BooleanField(
        label=_(
            "The resident agrees to carry this idea as their own proposal; they will review "
            "and submit it under their account"
        ),
        required=False,
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"))
    alt_text = forms.CharField(label=_("Description of the photo"), required=False, max_length=200)


class VerifyForm(forms.Form):
    email = forms.EmailField(label=_("The resident's email address (their account)"))
    cnp = forms.CharField(label=_("CNP"), max_length=13, min_length=13)
    document_type = forms.ChoiceField(label=_("Document checked"), choices=DocumentType.choices)
    sector6_resident = forms.BooleanField(
        label=_("The document shows a domicile or residence in Sector 6"), required=False
    )
    residence_zone = forms.ModelChoiceField(
        label=_("Zone of residence"), queryset=Area.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residence_zone"].queryset = _zones()
