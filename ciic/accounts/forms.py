from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown role.")},
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Email or name"), max_length=100, required=False)
