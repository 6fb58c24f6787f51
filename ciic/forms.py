"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """A date picker (ISO dates, as browsers send them)."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def service_errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: field errors next to
    their fields, the rest (and errors of names the form has no field for)
    at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
