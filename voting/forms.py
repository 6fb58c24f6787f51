"""Forms of voting. They only parse what was sent; the rules of a valid ballot
live in `services.ballot_errors`, so a forged form meets the same checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BallotKind, BallotRule, Completion, CountingRule


class BallotForm(forms.Form):
    """Approval and budget ballots send `choice` (proposal ids, checkboxes);
    points ballots send `points-<proposal id>`. `revision` is the revision of
    the ballot the page showed (0: none), so a stale or replayed form is refused."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, rule: BallotRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.choices: dict[int, int] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        data = self.data
        choices: dict[int, int] = {}
        try:
            if self.rule.kind == BallotKind.CUMULATIVE:
                for key in data:
                    if key.startswith("points-"):
                        raw = (data.get(key) or "").strip()
                        value = int(raw) if raw else 0
                        if value < 0:
                            raise ValueError
                        if value:
                            choices[int(key.removeprefix("points-"))] = value
            else:
                getlist = getattr(data, "getlist", None)
                values = getlist("choice") if getlist else data.get("choice", [])
                for raw in values:
                    choices[int(raw)] = 1
        except (TypeError, ValueError):
            raise forms.ValidationError(
                _("The ballot could not be read. Reload the page and try again."), code="forged"
            ) from None
        self.choices = choices
        return cleaned or {}


class BallotRuleForm(forms.ModelForm):
    class Meta:
        model = BallotRule
        fields = [
            "kind",
            "max_choices",
            "min_share_spent",
            "points",
            "max_points_per_project",
            "counting_rule",
            "completion",
        ]
        widgets = {"kind": forms.RadioSelect, "counting_rule": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counting_rule"].choices = CountingRule.choices  # type: ignore[attr-defined]
        self.fields["completion"].choices = Completion.choices  # type: ignore[attr-defined]
        self.fields["completion"].help_text = _(
            "Method of Equal Shares only; with the most-votes rule choose “none”."
        )


class DeskLookupForm(forms.Form):
    email = forms.EmailField(label=_("Resident's email address"))


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(label=_("Your receipt code"), max_length=20)
