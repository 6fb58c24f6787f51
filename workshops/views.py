"""Thin views: parse, check the permission, call one service, render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from ciic import charts, exports
from ciic.accounts.mixins import RulesPermissionMixin
from ciic.accounts.models import User
from ciic.eligibility.services import IdentityConflictError
from geo.maps import (
    Legend,
    LegendItem,
    MapPoint,
    points_map,
    points_map_config,
    with_script_nonce,
)
from geo.selectors import areas_for_map

from . import selectors, services
from .calendar import calendar_bytes
from .forms import (
    IdeaForm,
    IdeaProposalForm,
    MinutesForm,
    PhotoForm,
    StatusForm,
    VerifyForm,
    WalkInsForm,
    WorkshopForm,
    errors_to_form,
)
from .models import Idea, Registration, Workshop
from .pages import editorial_page

S = Workshop.Status


def _workshop(pk: int) -> Workshop:
    try:
        return selectors.workshop_get(pk=pk)
    except Workshop.DoesNotExist:
        raise Http404(_("There is no such workshop.")) from None


def _page_for(workshop: Workshop | None) -> Any:
    """The editorial Wagtail page of a workshop (or of the index), if any."""
    return editorial_page(workshop)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- public pages ---------------------------------------------------------------------


class WorkshopIndexView(TemplateView):
    template_name = "workshops/workshop_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        programme = selectors.programme_current()
        ctx.update(
            page=kwargs.get("page") or _page_for(None),
            programme=programme,
            upcoming=list(selectors.workshops_upcoming(programme=programme)),
            past=list(selectors.workshops_past(programme=programme)[:60]),
            held_count=(programme.workshops.filter(status=S.HELD).count() if programme else 0),
        )
        if ctx["upcoming"]:
            ctx["map_config"] = points_map_config(**_workshop_map_args(ctx["upcoming"]))
        return ctx


def _workshop_map_args(upcoming: Iterable[Workshop]) -> dict[str, Any]:
    points = [
        MapPoint(
            lat=w.latitude,
            lon=w.longitude,
            title=f"#{w.number} {w.theme}",
            url=w.get_absolute_url(),
            details=[
                w.venue_name,
                timezone.localtime(w.starts_at).strftime("%d.%m.%Y %H:%M"),
            ],
            colour="#D55E00" if w.status == S.FULL else "#0072B2",
        )
        for w in upcoming
        if w.latitude is not None and w.longitude is not None
    ]
    return {
        "records": points,
        "areas": areas_for_map(),
        "legend": Legend(
            title=_("Upcoming workshops"),
            items=(
                LegendItem(label=_("Places free"), colour="#0072B2"),
                LegendItem(label=_("Full (waiting list)"), colour="#D55E00"),
            ),
        ),
        "title": _("Upcoming workshops"),
    }


@require_GET
@xframe_options_sameorigin
def workshop_map(request: HttpRequest) -> HttpResponse:
    """The map of upcoming workshops as a whole document (for an <iframe>
    elsewhere; the index draws the same map in the page)."""
    upcoming = selectors.workshops_upcoming(programme=selectors.programme_current())
    document = points_map(cluster=False, **_workshop_map_args(upcoming))
    return HttpResponse(with_script_nonce(document, str(request.csp_nonce)))  # type: ignore[attr-defined]


class WorkshopDetailView(TemplateView):
    template_name = "workshops/workshop_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        workshop = _workshop(kwargs["pk"])
        user = self.request.user
        registration = selectors.registration_of(user=user, workshop=workshop)
        ctx.update(
            workshop=workshop,
            page=kwargs.get("page") or _page_for(workshop),
            registration=registration,
            waiting_position=(
                selectors.waiting_position(registration=registration) if registration else None
            ),
            seats_left=selectors.seats_left(workshop),
            ideas=list(selectors.ideas_of(workshop=workshop)) if workshop.status == S.HELD else [],
        )
        return ctx


class RegisterView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = get_object_or_404(Workshop, pk=pk)
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(workshop.get_absolute_url())
        try:
            reg = services.registration_create(actor=request.user, workshop=workshop)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            if reg.status == Registration.Status.CONFIRMED:
                messages.success(request, _("You are registered. See you there!"))
            else:
                messages.info(
                    request,
                    _(
                        "The workshop is full: you are on the waiting list. We will write to "
                        "you if a place becomes free."
                    ),
                )
        return redirect(workshop.get_absolute_url())


class CancelRegistrationView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = get_object_or_404(Workshop, pk=pk)
        try:
            services.registration_cancel(actor=request.user, workshop=workshop)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect(workshop.get_absolute_url())


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def workshop_ics(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(Workshop, pk=pk)
    return _ics(calendar_bytes([workshop], name=workshop.theme), "workshop.ics")


@require_GET
def programme_ics(request: HttpRequest) -> HttpResponse:
    programme = selectors.programme_current()
    workshops = selectors.workshops_all()
    if programme is not None:
        workshops = workshops.filter(programme=programme)
    name = programme.name if programme else _("CIIC workshops")
    return _ics(calendar_bytes(workshops, name=name), "calendar.ics")


# --- staff: planning ---------------------------------------------------------------------


class StaffListView(RulesPermissionMixin, TemplateView):
    permission_required = "workshops.view_staff_pages"
    template_name = "workshops/staff_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        mine = self.request.GET.get("mine") == "1"
        ctx.update(
            workshops=list(selectors.workshops_for_staff(user=self.request.user, mine_only=mine)),
            mine=mine,
            programme=selectors.programme_current(),
        )
        return ctx


class StaffWorkshopNewView(RulesPermissionMixin, View):
    permission_required = "workshops.plan"
    template_name = "workshops/staff_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = WorkshopForm(initial={"facilitators": [request.user.pk], "capacity": 30})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WorkshopForm(request.POST)
        programme = selectors.programme_current()
        if programme is None:
            form.add_error(None, _("There is no workshop programme yet."))
        elif form.is_valid():
            data = {k: form.cleaned_data[k] for k in services.WORKSHOP_FIELDS}
            try:
                workshop = services.workshop_create(
                    actor=request.user,
                    programme=programme,
                    facilitators=form.cleaned_data["facilitators"],
                    open_registration=form.cleaned_data["open_registration"],
                    allow_clash=form.cleaned_data["allow_clash"],
                    **data,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The workshop is planned."))
                return redirect("workshops:console", pk=workshop.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class _WorkshopPermissionMixin(RulesPermissionMixin):
    kwargs: dict[str, Any]

    def get_permission_object(self) -> Workshop:
        if not hasattr(self, "_workshop"):
            self._workshop = _workshop(self.kwargs["pk"])
        return self._workshop


class StaffWorkshopEditView(_WorkshopPermissionMixin, View):
    permission_required = "workshops.change_workshop"
    template_name = "workshops/staff_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = WorkshopForm(instance=workshop, editing=True)
        return render(request, self.template_name, {"form": form, "workshop": workshop})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = WorkshopForm(request.POST, instance=Workshop.objects.get(pk=pk), editing=True)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in services.WORKSHOP_FIELDS}
            try:
                services.workshop_update(
                    actor=request.user,
                    workshop=workshop,
                    data=data,
                    allow_clash=form.cleaned_data["allow_clash"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The workshop is saved."))
                return redirect("workshops:console", pk=pk)
        return render(request, self.template_name, {"form": form, "workshop": workshop}, status=400)


class StaffStatusView(_WorkshopPermissionMixin, View):
    """Open registration, postpone, cancel (change_workshop) or mark held."""

    permission_required = "workshops.run_workshop"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a valid action."))
            return redirect("workshops:console", pk=pk)
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        done = {
            "open": _("Registration is open."),
            "postpone": _("The workshop is postponed; everyone registered is told."),
            "cancel": _("The workshop is cancelled; everyone registered is told."),
            "held": _("The workshop is marked as held."),
        }
        try:
            if action == "open":
                services.workshop_open(actor=request.user, workshop=workshop)
            elif action == "postpone":
                services.workshop_postpone(actor=request.user, workshop=workshop, note=note)
            elif action == "cancel":
                services.workshop_cancel(actor=request.user, workshop=workshop, note=note)
            else:
                services.workshop_mark_held(actor=request.user, workshop=workshop)
        except ValidationError as exc:
            _flash_errors(request, exc)
        except PermissionDenied:
            messages.error(request, _("This action is not possible for this workshop now."))
        else:
            messages.success(request, done[action])
        return redirect("workshops:console", pk=pk)


# --- staff: running the workshop ------------------------------------------------------------


class ConsoleView(_WorkshopPermissionMixin, TemplateView):
    """The facilitator's page at the venue: check-in, walk-ins, minutes, ideas."""

    permission_required = "workshops.run_workshop"
    template_name = "workshops/console.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        workshop = self.get_permission_object()
        ctx.update(
            workshop=workshop,
            attendees=list(selectors.attendees(workshop=workshop)),
            ideas=list(selectors.ideas_of(workshop=workshop)),
            walk_ins_form=kwargs.get("walk_ins_form")
            or WalkInsForm(initial={"walk_ins": workshop.walk_ins}),
            minutes_form=kwargs.get("minutes_form")
            or MinutesForm(
                initial={
                    "minutes_public": workshop.minutes_public,
                    "minutes_internal": workshop.minutes_internal,
                }
            ),
            idea_form=kwargs.get("idea_form") or IdeaForm(initial={"zone": workshop.zone_id}),
            photo_form=PhotoForm(),
            verifications=workshop.verifications.count(),
        )
        return ctx


class CheckInView(_WorkshopPermissionMixin, View):
    permission_required = "workshops.run_workshop"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        reg_id = request.POST.get("registration", "")
        reg = Registration.objects.filter(pk=int(reg_id) if reg_id.isdigit() else 0).first()
        if reg is None:
            messages.error(request, _("This person is not registered for this workshop."))
        else:
            try:
                services.attendance_set(
                    actor=request.user,
                    workshop=workshop,
                    registration=reg,
                    present=request.POST.get("present") == "1",
                )
            except ValidationError as exc:
                _flash_errors(request, exc)
        return redirect(reverse("workshops:console", kwargs={"pk": pk}) + "#attendance")


class _ConsoleFormView(_WorkshopPermissionMixin, View):
    """A form of the facilitator console: saved through one service, then back
    to its section of the console; refused, the console again with the form's
    errors (400)."""

    permission_required = "workshops.run_workshop"
    form_class: type[forms.Form]
    form_name = ""  # the console's context name for this form
    anchor = ""
    success_message: Any = ""

    def save(self, workshop: Workshop, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.save(workshop, form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, self.success_message)
                return redirect(reverse("workshops:console", kwargs={"pk": pk}) + self.anchor)
        # The console again, with this form's errors (rendered directly: the
        # console's view answers GET only).
        console = ConsoleView()
        console.setup(request, pk=pk)
        context = console.get_context_data(pk=pk, **{self.form_name: form})
        return console.render_to_response(context, status=400)


class WalkInsView(_ConsoleFormView):
    form_class = WalkInsForm
    form_name = "walk_ins_form"
    anchor = "#attendance"
    success_message = gettext_lazy("The number of walk-ins is saved.")

    def save(self, workshop: Workshop, data: dict[str, Any]) -> None:
        services.walk_ins_set(actor=self.request.user, workshop=workshop, count=data["walk_ins"])


class MinutesView(_ConsoleFormView):
    form_class = MinutesForm
    form_name = "minutes_form"
    anchor = "#minutes"
    success_message = gettext_lazy("The minutes are saved.")

    def save(self, workshop: Workshop, data: dict[str, Any]) -> None:
        services.minutes_save(
            actor=self.request.user,
            workshop=workshop,
            public=data["minutes_public"],
            internal=data["minutes_internal"],
        )


class IdeaAddView(_ConsoleFormView):
    form_class = IdeaForm
    form_name = "idea_form"
    anchor = "#ideas"
    success_message = gettext_lazy("The idea is recorded.")

    def save(self, workshop: Workshop, data: dict[str, Any]) -> None:
        services.idea_create(actor=self.request.user, workshop=workshop, **data)


class PhotoAddView(_WorkshopPermissionMixin, View):
    permission_required = "workshops.run_workshop"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a photo to upload."))
        else:
            try:
                services.photo_add(
                    actor=request.user,
                    workshop=workshop,
                    upload=form.cleaned_data["photo"],
                    alt_text=form.cleaned_data["alt_text"],
                )
            except ValidationError as exc:
                _flash_errors(request, exc)
            else:
                messages.success(request, _("The photo is added (its metadata removed)."))
        return redirect(reverse("workshops:console", kwargs={"pk": pk}) + "#photos")


class IdeaProposalView(RulesPermissionMixin, View):
    """Prepare a draft proposal from an idea, for a consenting resident."""

    permission_required = "workshops.run_workshop"
    template_name = "workshops/idea_proposal.html"

    def get_permission_object(self) -> Workshop:
        if not hasattr(self, "_idea"):
            self._idea = get_object_or_404(
                Idea.objects.select_related("workshop", "proposal"), pk=self.kwargs["pk"]
            )
        return self._idea.workshop

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.get_permission_object()
        return render(request, self.template_name, {"idea": self._idea, "form": IdeaProposalForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = IdeaProposalForm(request.POST)
        if form.is_valid():
            resident = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if resident is None:
                form.add_error("email", _("No account has this email address."))
            else:
                try:
                    services.idea_to_proposal(
                        actor=request.user,
                        idea=self._idea,
                        resident=resident,
                        consent=form.cleaned_data["consent"],
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    messages.success(
                        request,
                        _(
                            "The draft proposal is ready; the resident has an email to review "
                            "and submit it."
                        ),
                    )
                    return redirect(
                        reverse("workshops:console", kwargs={"pk": workshop.pk}) + "#ideas"
                    )
        return render(request, self.template_name, {"idea": self._idea, "form": form}, status=400)


class VerifyView(_WorkshopPermissionMixin, View):
    """In-person identity verification at the venue."""

    permission_required = "workshops.run_workshop"
    template_name = "workshops/verify.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        return render(request, self.template_name, {"workshop": workshop, "form": VerifyForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        workshop = self.get_permission_object()
        form = VerifyForm(request.POST)
        if form.is_valid():
            person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if person is None:
                form.add_error("email", _("No account has this email address."))
            else:
                try:
                    services.workshop_verify_resident(
                        actor=request.user,
                        workshop=workshop,
                        user=person,
                        cnp=form.cleaned_data["cnp"],
                        document_type=form.cleaned_data["document_type"],
                        sector6_resident=form.cleaned_data["sector6_resident"],
                        residence_zone=form.cleaned_data["residence_zone"],
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                except IdentityConflictError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("The resident is verified."))
                    return redirect("workshops:console", pk=pk)
        return render(request, self.template_name, {"workshop": workshop, "form": form}, status=400)


# --- reporting ---------------------------------------------------------------------------


FUNNEL_LABELS = {
    "ideas": lambda: _("Ideas"),
    "proposals": lambda: _("Proposals submitted"),
    "eligible": lambda: _("Eligible"),
    "on_ballot": lambda: _("On the ballot"),
    "selected": lambda: _("Selected"),
}


def _report_or_404() -> selectors.ProgrammeReport:
    programme = selectors.programme_current()
    if programme is None:
        raise Http404(_("There is no workshop programme yet."))
    return selectors.programme_report(programme=programme)


class DashboardView(RulesPermissionMixin, TemplateView):
    permission_required = "workshops.view_staff_pages"
    template_name = "workshops/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        report = _report_or_404()
        rows = report.per_workshop
        chart_list = [
            charts.line_chart(
                id="held-over-time",
                title=_("Workshops held against the target"),
                x=[d for d, _n in report.held_over_time],
                series={_("Workshops held"): [n for _d, n in report.held_over_time]},
                x_title=_("Date"),
                y_title=_("Workshops"),
                target=report.programme.target_count,
                target_label=_("Target"),
            ),
            charts.bar_chart(
                id="attendance-per-workshop",
                title=_("Attendance per workshop"),
                labels=[f"#{r['number']}" for r in rows if r["workshop"].status == S.HELD],
                series={
                    _("Attended"): [r["attended"] for r in rows if r["workshop"].status == S.HELD]
                },
                x_title=_("Workshop"),
                y_title=_("People"),
            ),
            charts.bar_chart(
                id="attendance-per-zone",
                title=_("Attendance per zone"),
                labels=[z for z, _n in report.attendance_per_zone],
                series={_("Attended"): [n for _z, n in report.attendance_per_zone]},
                x_title=_("Zone"),
                y_title=_("People"),
                horizontal=True,
            ),
            charts.bar_chart(
                id="ideas-per-workshop",
                title=_("Ideas per workshop"),
                labels=[f"#{r['number']}" for r in rows if r["ideas"]],
                series={_("Ideas"): [r["ideas"] for r in rows if r["ideas"]]},
                x_title=_("Workshop"),
                y_title=_("Ideas"),
            ),
            charts.bar_chart(
                id="funnel",
                title=_("From ideas to projects"),
                labels=[str(FUNNEL_LABELS[k]()) for k, _n in report.funnel],
                series={_("Count"): [n for _k, n in report.funnel]},
                x_title=_("Stage"),
                y_title=_("Count"),
                horizontal=True,
            ),
        ]
        ctx.update(report=report, charts=chart_list)
        return ctx


EXPORT_COLUMNS = (
    ("number", lambda: _("Number")),
    ("theme", lambda: _("Theme")),
    ("zone", lambda: _("Zone")),
    ("starts_at", lambda: _("Starts")),
    ("status", lambda: _("Status")),
    ("capacity", lambda: _("Places")),
    ("registered", lambda: _("Registered")),
    ("waiting", lambda: _("Waiting list")),
    ("walk_ins", lambda: _("Walk-ins")),
    ("attended", lambda: _("Attended")),
    ("ideas", lambda: _("Ideas")),
)


class ExportView(RulesPermissionMixin, View):
    permission_required = "workshops.view_staff_pages"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        report = _report_or_404()
        columns = [str(label()) for _k, label in EXPORT_COLUMNS]
        rows = [
            [
                timezone.localtime(r[k]).replace(tzinfo=None) if k == "starts_at" else r[k]
                for k, _label in EXPORT_COLUMNS
            ]
            for r in report.per_workshop
        ]
        if fmt == "xlsx":
            return exports.xlsx_response("workshops.xlsx", columns, rows, sheet=_("Workshops"))
        return exports.csv_response("workshops.csv", columns, rows)
