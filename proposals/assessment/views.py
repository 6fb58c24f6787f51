"""Thin views of the assessment: the console (queue, one proposal, dashboard,
exports; staff with the second factor, see `urls.py`) and the author's side
(thread, appeal) on the proposal's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ciic import charts, exports
from ciic.accounts.mixins import RulesPermissionMixin
from proposals import selectors as proposal_selectors
from proposals.models import Call, Proposal

from . import selectors, services
from .forms import (
    AppealDecideForm,
    AppealForm,
    AssignForm,
    ConfirmForm,
    DecideForm,
    MessageForm,
    QueueFilterForm,
    RecordForm,
    RequestChangesForm,
    errors_to_form,
)
from .predicates import open_appeal, pending_decision


def _call_from(request: HttpRequest) -> Call | None:
    slug = request.GET.get("call") or request.POST.get("call") or ""
    if slug:
        return Call.objects.filter(slug=slug).first()
    return proposal_selectors.call_current()


def _filters(request: HttpRequest) -> tuple[QueueFilterForm, selectors.QueueFilters]:
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.QueueFilters(
        zone=data.get("zone", ""),
        category=data.get("category", ""),
        status=data.get("status", ""),
        mine=bool(data.get("mine")),
        overdue=bool(data.get("overdue")),
    )


class _Console(RulesPermissionMixin, TemplateView):
    permission_required = "assessment.view_queue"

    def get_permission_object(self) -> Any:
        return None


class QueueView(_Console):
    template_name = "assessment/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.core.paginator import Paginator

        ctx = super().get_context_data(**kwargs)
        call = _call_from(self.request)
        form, filters = _filters(self.request)
        rows = (
            selectors.assessment_queue(call=call, user=self.request.user, filters=filters)
            if call is not None
            else Proposal.objects.none()
        )
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        if call is not None:
            params["call"] = call.slug
        ctx.update(
            call=call,
            calls=Call.objects.order_by("-year", "-submission_start"),
            form=form,
            page_obj=page,
            rows=page.object_list,
            zones=proposal_selectors.zones_all(),
            assign_form=AssignForm(),
            can_assign=self.request.user.has_perm("assessment.assign_any"),
            query_string=params.urlencode(),
        )
        return ctx


class AssignView(RulesPermissionMixin, View):
    """Bulk (or single) assignment by a coordinator."""

    permission_required = "assessment.view_queue"

    def post(self, request: HttpRequest) -> HttpResponse:
        back = request.POST.get("next", "")
        if not back.startswith("/staff/assessment/"):
            back = reverse("assessment:queue")
        form = AssignForm(request.POST)
        refs = request.POST.getlist("proposals")
        proposals = list(
            Proposal.objects.public().filter(reference__in=refs).select_related("call")
        )
        if not form.is_valid() or not proposals:
            messages.error(request, _("Choose proposals and an assessor or a department."))
            return HttpResponseRedirect(back)
        try:
            done = services.assessment_assign(
                actor=request.user, proposals=proposals, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied:
            # A decided proposal, or the assessment phase is over: nothing was assigned.
            messages.error(request, _("Some of these proposals can no longer be assigned."))
        else:
            messages.success(request, _("%(n)d proposals assigned.") % {"n": len(done)})
        return HttpResponseRedirect(back)


class _ProposalMixin:
    kwargs: dict[str, Any]

    def get_proposal(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = get_object_or_404(
                Proposal.objects.public().select_related("call", "zone", "author"),
                reference=self.kwargs["reference"],
            )
        return self._proposal

    def get_permission_object(self) -> Proposal:
        return self.get_proposal()


class AssessmentDetailView(_ProposalMixin, RulesPermissionMixin, TemplateView):
    permission_required = "assessment.view_assessment"
    template_name = "assessment/detail.html"
    forms: dict[str, Any] | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        p = self.get_proposal()
        user = self.request.user
        assessment = selectors.assessment_get(proposal=p)
        forms = {
            "assign": AssignForm(
                initial={
                    "assessor": assessment.assessor_id if assessment else None,
                    "department": assessment.department_id if assessment else None,
                    "due_date": assessment.due_date if assessment else None,
                }
            ),
            "record": RecordForm(initial=RecordForm.initial_from(assessment), proposal=p),
            "changes": RequestChangesForm(),
            "decide": DecideForm(proposal=p),
            "confirm": ConfirmForm(),
            "appeal": AppealDecideForm(),
            "message": MessageForm(),
        }
        forms.update(self.forms or {})
        perms = {
            name: user.has_perm(f"assessment.{name}", p)
            for name in (
                "assign", "record", "request_changes", "decide", "confirm", "decide_appeal",
                "post_message",
            )
        }  # fmt: skip
        ctx.update(
            proposal=p,
            assessment=assessment,
            overdue=selectors.is_overdue(proposal=p, assessment=assessment),
            competence_note=selectors.competence_notes(call=p.call).get(p.category, ""),
            settings=selectors.call_assessment_settings(call=p.call),
            decisions=selectors.decisions_of(proposal=p),
            pending=pending_decision(p),
            appeal=open_appeal(p),
            appeals=selectors.appeals_of(proposal=p),
            thread=selectors.thread(proposal=p),
            history=selectors.internal_history(proposal=p),
            forms=forms,
            perms=perms,
        )
        return ctx


ACTIONS: dict[str, tuple[type, Callable[..., Any]]] = {}


def _action(name: str, form_class: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        ACTIONS[name] = (form_class, func)
        return func

    return register


@_action("assign", AssignForm)
def _assign(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    services.assessment_assign(actor=user, proposals=[p], **data)
    return _("Assigned.")


@_action("record", RecordForm)
def _record(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    services.assessment_record(actor=user, proposal=p, data=data)
    return _("Assessment saved.")


@_action("changes", RequestChangesForm)
def _changes(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    services.assessment_request_changes(actor=user, proposal=p, **data)
    return _("The author was asked for changes.")


@_action("decide", DecideForm)
def _decide(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    decision = services.assessment_decide(actor=user, proposal=p, **data)
    if decision.state == decision.State.PENDING:
        return _("Decision recorded; it takes effect when a second assessor confirms it.")
    return _("Decision in effect.")


@_action("confirm", ConfirmForm)
def _confirm(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    services.decision_confirm(
        actor=user, proposal=p, approve=data["approve"] == "yes", note=data["note"]
    )
    return _("Done.")


@_action("appeal", AppealDecideForm)
def _appeal(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    services.appeal_decide(
        actor=user, proposal=p, upheld=data["upheld"] == "yes", explanation=data["explanation"]
    )
    return _("The appeal is decided.")


@_action("message", MessageForm)
def _message(user: Any, p: Proposal, data: dict[str, Any]) -> str:
    services.message_post(actor=user, proposal=p, body=data["body"])
    return _("Message sent.")


class AssessmentActionView(_ProposalMixin, RulesPermissionMixin, View):
    """POST one of the console's forms; on errors the page is shown again with them."""

    permission_required = "assessment.view_assessment"

    def post(self, request: HttpRequest, reference: str, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        form_class, handler = ACTIONS[action]
        p = self.get_proposal()
        kwargs = {"proposal": p} if form_class in (RecordForm, DecideForm) else {}
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            data = form.service_data() if isinstance(form, RecordForm) else form.cleaned_data
            try:
                messages.success(request, handler(request.user, p, data))
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                return HttpResponseRedirect(
                    reverse("assessment:detail", kwargs={"reference": reference})
                )
        page = AssessmentDetailView(request=request, kwargs={"reference": reference})
        page.forms = {"changes" if action == "changes" else action: form}
        page._proposal = p
        return page.render_to_response(page.get_context_data(reference=reference), status=400)


# --- dashboard and exports -------------------------------------------------------------------


class DashboardView(_Console):
    permission_required = "assessment.view_dashboard"
    template_name = "assessment/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        call = _call_from(self.request)
        ctx.update(call=call, calls=Call.objects.order_by("-year", "-submission_start"))
        if call is None:
            return ctx
        stats = selectors.dashboard_stats(call=call)
        status_labels = [str(Proposal.Status(s).label) for s in stats["by_status"]]
        load = stats["load"]
        ctx.update(
            stats=stats,
            status_rows=list(zip(status_labels, stats["by_status"].values(), strict=True)),
            charts=[
                charts.bar_chart(
                    id="by-status",
                    title=_("Proposals by status"),
                    labels=status_labels,
                    series={_("Proposals"): list(stats["by_status"].values())},
                    horizontal=True,
                ),
                charts.bar_chart(
                    id="load",
                    title=_("Load per assessor"),
                    labels=[row["assessor__email"] for row in load],
                    series={
                        _("Undecided"): [row["open"] for row in load],
                        _("Overdue"): [row["overdue"] for row in load],
                        _("Total"): [row["total"] for row in load],
                    },
                    horizontal=True,
                ),
            ],
        )
        return ctx


EXPORT_COLUMNS = [
    "reference", "title", "category", "zone", "status", "author_estimate_lei",
    "assessor", "department", "due_date", "overdue", "competence", "legal_basis",
    "land_controlled", "legally_feasible", "technically_feasible", "council_cost_lei",
    "maintenance_lei_per_year", "months", "duplicate_of", "decision", "reason",
    "public_explanation", "decided_at",
]  # fmt: skip


def _export_rows(request: HttpRequest) -> list[list[Any]]:
    call = _call_from(request)
    if call is None:
        return []
    _form, filters = _filters(request)
    qs = selectors.proposals_prefetch_for_export(
        selectors.assessment_queue(call=call, user=request.user, filters=filters).select_related(
            "assessment__duplicate_of"
        )
    )
    rows = []
    for p in qs:
        a = getattr(p, "assessment", None)
        decided = p.confirmed_decisions[-1] if p.confirmed_decisions else None  # type: ignore[attr-defined]

        def yn(v: bool | None) -> str:
            return "" if v is None else ("da" if v else "nu")

        rows.append(
            [
                p.reference, p.title, p.category, p.zone.name if p.zone else "", p.status,
                p.cost_estimate,
                a.assessor.email if a and a.assessor else "",
                a.department.name if a and a.department else "",
                a.due_date if a else None, bool(p.overdue),  # type: ignore[attr-defined]
                yn(a.competence) if a else "", a.competence_basis if a else "",
                a.land_controlled if a else "",
                yn(a.legally_feasible) if a else "", yn(a.technically_feasible) if a else "",
                a.cost_estimate if a else None, a.maintenance_cost if a else None,
                a.months if a else None,
                a.duplicate_of.reference if a and a.duplicate_of else "",
                decided.outcome if decided else "", decided.reason if decided else "",
                decided.explanation if decided else "",
                decided.effective_at if decided else None,
            ]
        )  # fmt: skip
    return rows


class ExportView(RulesPermissionMixin, View):
    """The queue's rows (with its filters) as CSV or XLSX. Internal notes and
    the thread are not exported."""

    permission_required = "assessment.export"
    fmt = "csv"

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = _export_rows(request)
        if self.fmt == "xlsx":
            return exports.xlsx_response(
                "assessments.xlsx", EXPORT_COLUMNS, rows, sheet=_("Assessments")
            )
        return exports.csv_response("assessments.csv", EXPORT_COLUMNS, rows)


# --- the author's side --------------------------------------------------------------------------


class _AuthorAction(_ProposalMixin, RulesPermissionMixin, View):
    def _back(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(self.get_proposal().get_absolute_url() + "#thread")


class AuthorMessageView(_AuthorAction):
    permission_required = "assessment.post_message"

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        form = MessageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write a message."))
            return self._back()
        services.message_post(
            actor=request.user, proposal=self.get_proposal(), body=form.cleaned_data["body"]
        )
        messages.success(request, _("Message sent to the assessors."))
        return self._back()


class AppealLodgeView(_AuthorAction):
    permission_required = "assessment.appeal"

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        form = AppealForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write why the decision should change."))
            return self._back()
        services.appeal_lodge(
            actor=request.user, proposal=self.get_proposal(), argument=form.cleaned_data["argument"]
        )
        messages.success(request, _("Your appeal was lodged. Another assessor will decide it."))
        return self._back()
