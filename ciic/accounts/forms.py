from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
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


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, answering alike for new and taken addresses (see
    `ciic.accounts.adapter`)."""

    def try_save(self, request: HttpRequest) -> Any:
        request._ciic_signup_email = self.cleaned_data.get("email")  # type: ignore[attr-defined]
        if self.account_already_exists:
            # A new account's password is hashed; spend the same time here so the
            # answer comes as late for a taken address as for a new one.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
