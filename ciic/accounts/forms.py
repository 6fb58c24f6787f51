from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
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
    `ciic.accounts.adapter`), and alike for the second of two sign-ups with one
    address at the same moment (a double click): it finds the address taken."""

    def try_save(self, request: HttpRequest) -> Any:
        request._ciic_signup_email = self.cleaned_data.get("email")  # type: ignore[attr-defined]
        if not self.account_already_exists:  # type: ignore[has-type]
            try:
                with transaction.atomic():
                    return super().try_save(request)
            except IntegrityError:
                # The unique address was taken after this form was validated.
                self.account_already_exists = True
        # A new account's password is hashed; spend the same time here so the
        # answer comes as late for a taken address as for a new one.
        make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AccountDeleteForm(forms.Form):
    """Deleting the account asks for the password again."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
