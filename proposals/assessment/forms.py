"""Forms of the assessment console and of the author's side. They parse;
the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Category, Proposal

from .models import Assessment, Department, LandControl, Outcome, Reason

YES_NO = [("", _("Not assessed yet")), ("yes", _("Yes")), ("no", _("No"))]
QUEUE_STATUSES = [
    ("", _("All statuses")),
    ("unassigned", _("Not assigned")),
    ("pending", _("Awaiting confirmation")),
    ("appealed", _("Open appeal")),
    *[c for c in Proposal.Status.choices if c[0] != Proposal.Status.DRAFT],
]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class QueueFilterForm(forms.Form):
    """GET filters of the queue (and of its exports); invalid values are ignored."""

    call = forms.CharField(required=False)
    zone = forms.CharField(required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=QUEUE_STATUSES)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)


class AssignForm(forms.Form):
    assessor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assessor"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(active=True), required=False
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the call's working days after submission."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import assessors_all

        self.fields["assessor"].queryset = assessors_all()  # type: ignore[attr-defined]


class RecordForm(forms.Form):
    competence = forms.ChoiceField(
        label=_("Within the council's competence"), choices=YES_NO, required=False
    )
    competence_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)
    competence_notes = forms.CharField(
        label=_("Notes on competence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    land_controlled = forms.ChoiceField(
        label=_("Land or asset controlled by the Sector 6 council"),
        choices=[("", "—"), *LandControl.choices],
        required=False,
    )
    land_notes = forms.CharField(
        label=_("Notes on land"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    legally_feasible = forms.ChoiceField(
        label=_("Legally feasible"), choices=YES_NO, required=False
    )
    legal_notes = forms.CharField(
        label=_("Notes on legality"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    technically_feasible = forms.ChoiceField(
        label=_("Technically feasible"), choices=YES_NO, required=False
    )
    technical_notes = forms.CharField(
        label=_("Technical notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cost_estimate = forms.CharField(
        label=_("Council's cost estimate (lei)"), required=False, max_length=20
    )
    maintenance_cost = forms.CharField(
        label=_("Yearly maintenance (lei)"), required=False, max_length=20
    )
    cost_notes = forms.CharField(
        label=_("Notes on cost"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    months = forms.IntegerField(
        label=_("Implementation time (months)"), required=False, min_value=1, max_value=120
    )
    months_notes = forms.CharField(
        label=_("Notes on timing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    duplicate_of = forms.ModelChoiceField(
        label=_("Duplicate of"), queryset=Proposal.objects.none(), required=False
    )
    duplicate_notes = forms.CharField(
        label=_("Notes on the duplicate"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].queryset = (  # type: ignore[attr-defined]
            Proposal.objects.public().filter(call=proposal.call).exclude(pk=proposal.pk)
        )

    @staticmethod
    def initial_from(assessment: Assessment | None) -> dict[str, Any]:
        if assessment is None:
            return {}

        def tri(v: bool | None) -> str:
            return "" if v is None else ("yes" if v else "no")

        data = {
            f: getattr(assessment, f)
            for f in (
                "competence_basis", "competence_notes", "land_controlled", "land_notes",
                "legal_notes", "technical_notes", "cost_notes", "months", "months_notes",
                "duplicate_notes",
            )
        }  # fmt: skip
        data.update(
            competence=tri(assessment.competence),
            legally_feasible=tri(assessment.legally_feasible),
            technically_feasible=tri(assessment.technically_feasible),
            cost_estimate="" if assessment.cost_estimate is None else f"{assessment.cost_estimate:.2f}".replace(".", ","),
            maintenance_cost="" if assessment.maintenance_cost is None else f"{assessment.maintenance_cost:.2f}".replace(".", ","),
            duplicate_of=assessment.duplicate_of_id,
        )  # fmt: skip
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for f in ("competence", "legally_feasible", "technically_feasible"):
            data[f] = _tri(data[f])
        return data


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("What should the author change? (private, in the thread)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    deadline = forms.DateField(
        label=_("Deadline (last day)"), widget=forms.DateInput(attrs={"type": "date"})
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("Reason (if ineligible)"), choices=[("", "—"), *Reason.choices], required=False
    )
    explanation = forms.CharField(
        label=_("Public explanation"),
        help_text=_("Residents read this on the proposal's page. Required if ineligible."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    duplicate_of = forms.ModelChoiceField(
        label=_("Duplicate of (if the reason is a duplicate)"),
        queryset=Proposal.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].queryset = (  # type: ignore[attr-defined]
            Proposal.objects.public().filter(call=proposal.call).exclude(pk=proposal.pk)
        )


class ConfirmForm(forms.Form):
    approve = forms.ChoiceField(
        label=_("Second assessor"),
        choices=[("yes", _("Confirm the decision")), ("no", _("Send it back"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Internal note (required to send it back)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AppealDecideForm(forms.Form):
    upheld = forms.ChoiceField(
        label=_("Appeal"),
        choices=[
            ("yes", _("Uphold: the proposal is eligible")),
            ("no", _("Reject: the decision stands")),
        ],
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("Public explanation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(forms.Form):
    argument = forms.CharField(
        label=_("Why should the decision change?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


def errors_to_form(form: forms.Form, exc: Any) -> None:
    """Put a service's ValidationError on the form (by field when it can)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
