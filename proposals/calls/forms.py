"""The staff form of a call: its fields, the categories it accepts (with
what fits in each) and the budgets reserved for zones. The form parses; the
services (`call_create`, `call_update`) decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ciic.forms import DateInput
from ciic.money import money_parse
from geo.models import Area

from ..models import Call, Category
from . import CALL_TERMS_FIELDS, SCHEDULE_FIELDS


class MoneyField(forms.Field):
    """An amount in lei as people type it ("5.000.000", "180000,50")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 24}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        return money_parse(text) if text else None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return (
                f"{value:,.2f}".replace(",", " ")
                .replace(".", ",")
                .replace(" ", ".")
                .removesuffix(",00")
            )
        return value


class CallForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=80,
        help_text=_("Letters, digits and hyphens, e.g. bp-2027."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    total_budget = MoneyField(label=_("Total budget (lei)"))
    max_cost_per_proposal = MoneyField(label=_("Maximum cost per proposal (lei)"))
    max_proposals_per_resident = forms.IntegerField(
        label=_("Maximum proposals per resident"), min_value=1, max_value=100
    )
    submission_start = forms.DateField(label=_("Submission opens"), widget=DateInput())
    submission_end = forms.DateField(label=_("Submission closes (last day)"), widget=DateInput())
    assessment_start = forms.DateField(label=_("Assessment starts"), widget=DateInput())
    assessment_end = forms.DateField(label=_("Assessment ends (last day)"), widget=DateInput())
    voting_start = forms.DateField(label=_("Voting opens"), widget=DateInput())
    voting_end = forms.DateField(label=_("Voting closes (last day)"), widget=DateInput())
    results_date = forms.DateField(label=_("Results published"), widget=DateInput())
    implementation_start = forms.DateField(label=_("Implementation starts"), widget=DateInput())

    def __init__(self, *args: Any, zones: list[Area], call: Call | None = None, **kwargs: Any):
        if call is not None:
            kwargs.setdefault("initial", call_initial(call))
        super().__init__(*args, **kwargs)
        self.zones = zones
        for value, label in Category.choices:
            self.fields[f"category_{value}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"category_{value}_text"] = forms.CharField(
                label=_("What fits in “%(category)s”") % {"category": label},
                max_length=300,
                required=False,
            )
        for zone in zones:
            self.fields[f"zone_{zone.pk}"] = MoneyField(
                label=_("Budget for %(zone)s (lei)") % {"zone": zone.name}, required=False
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CALL_TERMS_FIELDS]

    def date_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SCHEDULE_FIELDS]

    def category_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"category_{value}"], self[f"category_{value}_text"]) for value in Category.values
        ]

    def zone_fields(self) -> list[forms.BoundField]:
        return [self[f"zone_{zone.pk}"] for zone in self.zones]

    def call_data(self) -> dict[str, Any]:
        """The call's own fields, for the services."""
        return {name: self.cleaned_data[name] for name in self.base_fields}

    def categories(self) -> dict[str, str]:
        return {
            value: (self.cleaned_data.get(f"category_{value}_text") or "").strip()
            for value in Category.values
            if self.cleaned_data.get(f"category_{value}")
        }

    def zone_budgets(self) -> dict[Area, Decimal]:
        out = {}
        for zone in self.zones:
            amount = self.cleaned_data.get(f"zone_{zone.pk}")
            if amount is not None:
                out[zone] = amount
        return out


def call_initial(call: Call) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(call, name) for name in CallForm.base_fields}
    for cc in call.categories.all():
        initial[f"category_{cc.category}"] = True
        initial[f"category_{cc.category}_text"] = cc.description
    for zb in call.zone_budgets.all():
        initial[f"zone_{zb.zone_id}"] = zb.amount
    return initial
