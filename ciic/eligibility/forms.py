"""Forms parse input only; rules live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ciic.forms import DateInput, service_errors_to_form
from geo.models import Area

from .cnp import cnp_validate
from .models import DocumentType

REGISTER_FILE_MAX_BYTES = 20 * 1024 * 1024


class CNPInput(forms.TextInput):
    """Never renders a value back: a CNP typed into a form that failed is not
    echoed into the page (like PasswordInput(render_value=False))."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "autocomplete": "off",
            "inputmode": "numeric",
            "maxlength": "20",
            "spellcheck": "false",
            "class": "cnp-input",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> None:
        return None


def _cnp_well_formed(value: str) -> None:
    cnp_validate(value)  # structure only; the service checks it against the date of birth


def cnp_field() -> forms.CharField:
    return forms.CharField(
        label=_("Personal numeric code (CNP)"),
        max_length=40,
        strip=True,
        widget=CNPInput(),
        validators=[_cnp_well_formed],
        help_text=_("13 digits, as on the identity card. It is never stored or shown in clear."),
        error_messages={"required": _("Enter the personal numeric code (CNP).")},
    )


apply_service_errors = service_errors_to_form  # the one helper, under this app's old name


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date (day, month, year).")},
    )
    address = forms.CharField(
        label=_("Residence address"),
        max_length=255,
        help_text=_("Street, number, building, flat, as on your identity card or residence visa."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)

    def __init__(self, *args: Any, date_of_birth_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if date_of_birth_locked:
            field = self.fields["date_of_birth"]
            field.disabled = True
            field.help_text = _(
                "Verified from your CNP. To correct it, please contact the CIIC desk."
            )


ZONE_REQUIRED = _("Choose the planning zone of residence.")


class ResidenceForm(forms.Form):
    """Where the resident lives: a planning zone, or (desk staff) the located
    address the zone is derived from. The service (`residence_resolve`)
    decides; `clean` only spares a round trip when nothing was given. Without
    planning zones loaded, the fields are left out."""

    residence_zone = forms.ModelChoiceField(
        label=_("Planning zone of residence"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— choose the zone —"),
        help_text=_("The zone of the address on the identity card or residence visa."),
        error_messages={"invalid_choice": _("Choose one of the planning zones.")},
    )
    residence_latitude = forms.FloatField(
        label=_("Or the address on the map: latitude (optional)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_(
            "From the map or the place search, e.g. 44.4350. With a point, the zone is found "
            "from it."
        ),
        error_messages={"invalid": _("The location is not a valid point.")},
    )
    residence_longitude = forms.FloatField(
        label=_("Longitude (optional)"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("e.g. 26.0300"),
        error_messages={"invalid": _("The location is not a valid point.")},
    )

    located_address = True  # whether the form offers the point (desk staff) or only the zone

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = Area.objects.filter(kind=Area.Kind.ZONE).order_by("name")
        self.has_zones = zones.exists()
        names = ["residence_zone", "residence_latitude", "residence_longitude"]
        if not self.has_zones:
            for name in names:
                del self.fields[name]
            return
        cast(forms.ModelChoiceField, self.fields["residence_zone"]).queryset = zones
        if not self.located_address:
            del self.fields["residence_latitude"], self.fields["residence_longitude"]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if (
            data is not None
            and self.has_zones
            and data.get("residence_zone") is None
            and data.get("residence_latitude") is None
            and "residence_zone" not in self.errors
            and "residence_latitude" not in self.errors
        ):
            self.add_error("residence_zone", ZONE_REQUIRED)
        return data

    def residence(self) -> dict[str, Any]:
        """The cleaned residence, as the services' keyword arguments."""
        data = self.cleaned_data
        return {
            "residence_zone": data.get("residence_zone"),
            "residence_latitude": data.get("residence_latitude"),
            "residence_longitude": data.get("residence_longitude"),
        }


class RegisterMatchForm(ResidenceForm):
    cnp = cnp_field()
    confirm = forms.BooleanField(
        label=_("This is my own personal numeric code."),
        error_messages={"required": _("Confirm that the CNP is your own.")},
    )

    located_address = False
    field_order = ["cnp", "residence_zone", "confirm"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.has_zones:
            field = self.fields["residence_zone"]
            field.label = _("The planning zone where you live")
            field.help_text = _(
                "The zone of the address on your identity card or residence visa. The zones "
                "are drawn on the map of Sector 6."
            )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class InPersonVerificationForm(ResidenceForm):
    field_order = [
        "cnp",
        "document_type",
        "sector6_address",
        "valid_until",
        "residence_zone",
        "residence_latitude",
        "residence_longitude",
        "identity_checked",
    ]
    cnp = cnp_field()
    document_type = forms.ChoiceField(
        label=_("Document checked"),
        choices=DocumentType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the document you checked.")},
    )
    sector6_address = forms.ChoiceField(
        label=_("Does the document show a domicile or residence in Sector 6?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the document shows an address in Sector 6.")},
    )
    valid_until = forms.DateField(
        label=_("Document valid until (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "For a residence visa: the date it ends. The verification will not outlast it."
        ),
        error_messages={"invalid": _("Enter a real date (day, month, year).")},
    )
    identity_checked = forms.BooleanField(
        label=_("I saw the original document and the photo matches the person in front of me."),
        error_messages={"required": _("Confirm that you checked the document in person.")},
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the revocation.")},
    )


class ConflictResolveForm(forms.Form):
    note = forms.CharField(
        label=_("How was it resolved?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe how the conflict was resolved.")},
    )


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Email or name"), max_length=100, required=False)


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (CSV)"),
        help_text=_(
            "UTF-8 CSV, separated by commas or semicolons. First line: the column names: "
            "cnp (required), birth_date (YYYY-MM-DD, optional), address (optional). The import "
            "replaces the whole register; if any line has an error, nothing is imported."
        ),
        error_messages={"required": _("Choose a CSV file.")},
    )
    confirm_replace = forms.BooleanField(
        label=_("Replace the current register with this file."),
        error_messages={"required": _("Confirm that the file replaces the current register.")},
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".txt")):
            raise ValidationError(_("The file must be a .csv file."), code="extension")
        if f.size > REGISTER_FILE_MAX_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."), code="size")
        return f
