"""Thin views: parse the form, check the permission, call one service."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ciic.accounts.mixins import RulesPermissionMixin
from ciic.accounts.models import User

from . import selectors, services
from .forms import (
    ConflictResolveForm,
    InPersonVerificationForm,
    ProfileForm,
    RegisterImportForm,
    RegisterMatchForm,
    ResidenceForm,
    ResidentSearchForm,
    RevokeForm,
    apply_service_errors,
)
from .models import IdentityConflict, ResidentProfile, Verification


def _me(request: HttpRequest) -> User:
    """The logged-in account (views using this are behind LoginRequiredMixin)."""
    return cast(User, request.user)


def _profile_initial(profile: ResidentProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "full_name": profile.full_name,
        "date_of_birth": profile.date_of_birth,
        "address": profile.address,
        "phone": profile.phone,
    }


def _profile_form(user: User, data: Any = None) -> ProfileForm:
    profile = ResidentProfile.objects.filter(user=user).first()
    locked = selectors.verification_open_for_user(user=user) is not None
    return ProfileForm(data, initial=_profile_initial(profile), date_of_birth_locked=locked)


def _save_profile(request: HttpRequest, form: ProfileForm, user: User) -> bool:
    if not form.is_valid():
        return False
    try:
        services.profile_update(actor=request.user, user=user, **form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    return True


# --- resident self-service ----------------------------------------------------------------


def _next_or_dashboard(request: HttpRequest) -> HttpResponse:
    """Back to where the resident came from (`?next=`, e.g. the path to
    proposing), else to their account page."""
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect("accounts:dashboard")


class ProfileView(LoginRequiredMixin, View):
    template_name = "eligibility/profile_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": _profile_form(_me(request))})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = _profile_form(_me(request), request.POST)
        if _save_profile(request, form, _me(request)):
            messages.success(request, _("Your profile was saved."))
            return _next_or_dashboard(request)
        return render(request, self.template_name, {"form": form})


class RegisterMatchView(LoginRequiredMixin, View):
    template_name = "eligibility/register_match.html"

    def _context(self, request: HttpRequest, form: RegisterMatchForm) -> dict[str, Any]:
        return {
            "form": form,
            "has_profile": ResidentProfile.objects.filter(user=_me(request)).exists(),
            "decision": selectors.participation_check(
                user=request.user, on_date=timezone.localdate()
            ),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self._context(request, RegisterMatchForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RegisterMatchForm(request.POST)
        if form.is_valid():
            try:
                services.verification_match_register(
                    actor=request.user,
                    user=_me(request),
                    cnp=form.cleaned_data["cnp"],
                    **form.residence(),
                )
            except services.IdentityConflictError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("You were found in the residents' register: you are verified.")
                )
                return _next_or_dashboard(request)
        return render(request, self.template_name, self._context(request, form))


# --- staff: residents ---------------------------------------------------------------


class DeskStaffMixin(RulesPermissionMixin):
    permission_required = "eligibility.verify_residents"


class ResidentListView(DeskStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = ResidentSearchForm(request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        residents = list(selectors.residents_search(query=query)) if query else []
        return render(
            request,
            "eligibility/staff/resident_list.html",
            {"form": form, "query": query, "residents": residents},
        )


def _resident_page(
    request: HttpRequest,
    resident: User,
    *,
    profile_form: ProfileForm | None = None,
    verify_form: InPersonVerificationForm | None = None,
    revoke_form: RevokeForm | None = None,
    residence_form: ResidenceForm | None = None,
) -> HttpResponse:
    history = list(selectors.verification_history(user=resident))
    open_v = next((v for v in history if v.ended_at is None), None)
    profile = ResidentProfile.objects.select_related("residence_zone").filter(user=resident).first()
    return render(
        request,
        "eligibility/staff/resident_detail.html",
        {
            "resident": resident,
            "profile": profile,
            "decision": selectors.participation_check(user=resident, on_date=timezone.localdate()),
            "history": history,
            "events": selectors.resident_events(user=resident, verifications=history),
            "open_verification": open_v,
            "profile_form": profile_form or _profile_form(resident),
            "verify_form": verify_form or InPersonVerificationForm(),
            "revoke_form": revoke_form or RevokeForm(),
            "residence_form": residence_form or _residence_form(profile),
        },
    )


def _residence_form(profile: ResidentProfile | None, data: Any = None) -> ResidenceForm:
    initial = None
    if profile is not None:
        initial = {
            "residence_zone": profile.residence_zone,
            "residence_latitude": profile.residence_latitude,
            "residence_longitude": profile.residence_longitude,
        }
    return ResidenceForm(data, initial=initial, prefix="residence")


class ResidentDetailView(DeskStaffMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _resident_page(request, get_object_or_404(User, pk=pk))


class ResidentProfileEditView(DeskStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = get_object_or_404(User, pk=pk)
        form = _profile_form(resident, request.POST)
        if _save_profile(request, form, resident):
            messages.success(request, _("The profile was saved."))
            return redirect("eligibility:staff_resident", pk=resident.pk)
        return _resident_page(request, resident, profile_form=form)


class VerifyInPersonView(DeskStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = get_object_or_404(User, pk=pk)
        form = InPersonVerificationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.verification_create_in_person(
                    actor=request.user,
                    user=resident,
                    cnp=data["cnp"],
                    document_type=data["document_type"],
                    sector6_resident=data["sector6_address"] == "yes",
                    valid_until=data["valid_until"],
                    **form.residence(),
                )
            except services.IdentityConflictError as exc:
                url = reverse("eligibility:staff_conflicts")
                form.add_error(
                    None,
                    _(
                        "This person is already verified on another account (%(email)s). "
                        "Nothing was changed; a conflict was recorded (see Identity conflicts: %(url)s)."
                    )
                    % {
                        "email": exc.conflict.existing_user or "?",
                        "url": url,
                    },
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The resident is verified."))
                return redirect("eligibility:staff_resident", pk=resident.pk)
        return _resident_page(request, resident, verify_form=form)


class ResidenceEditView(DeskStaffMixin, View):
    """Desk staff correct where a resident lives (a move, a zone that an
    import of zones removed)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = get_object_or_404(User, pk=pk)
        profile = ResidentProfile.objects.filter(user=resident).first()
        form = _residence_form(profile, request.POST)
        if form.is_valid():
            try:
                services.residence_set(
                    actor=request.user,
                    user=resident,
                    zone=form.cleaned_data.get("residence_zone"),
                    latitude=form.cleaned_data.get("residence_latitude"),
                    longitude=form.cleaned_data.get("residence_longitude"),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The zone of residence was saved."))
                return redirect("eligibility:staff_resident", pk=resident.pk)
        return _resident_page(request, resident, residence_form=form)


class RevokeView(DeskStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        verification = get_object_or_404(Verification.objects.select_related("user"), pk=pk)
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.verification_revoke(
                    actor=request.user,
                    verification=verification,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The verification was revoked."))
                return redirect("eligibility:staff_resident", pk=verification.user_id)
        return _resident_page(request, verification.user, revoke_form=form)


# --- staff: register and conflicts ---------------------------------------------------------


class RegisterImportView(RulesPermissionMixin, View):
    permission_required = "eligibility.import_register"
    template_name = "eligibility/staff/register_import.html"

    def _render(
        self, request: HttpRequest, form: RegisterImportForm, report: Any = None
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "imports": selectors.register_imports_list(),
                "register_size": selectors.register_size(),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, RegisterImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RegisterImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        upload = form.cleaned_data["file"]
        report = services.register_import(actor=request.user, file=upload, file_name=upload.name)
        if report.ok:
            messages.success(
                request,
                _("The register was replaced: %(count)d residents imported.")
                % {"count": report.row_count},
            )
            return redirect("eligibility:staff_register_import")
        form.add_error("file", _("The file has errors; nothing was imported."))
        return self._render(request, form, report)


def _conflicts_page(
    request: HttpRequest,
    *,
    failed_form: ConflictResolveForm | None = None,
    failed_for: int | None = None,
) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "eligibility/staff/conflict_list.html",
        {
            "conflicts": list(selectors.conflicts_list(include_resolved=show_all)),
            "show_all": show_all,
            "failed_form": failed_form,
            "failed_for": failed_for,
            "can_resolve": request.user.has_perm("eligibility.verify_residents"),
        },
    )


class ConflictListView(RulesPermissionMixin, View):
    permission_required = "eligibility.view_conflicts"

    def get(self, request: HttpRequest) -> HttpResponse:
        return _conflicts_page(request)


class ConflictResolveView(DeskStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        conflict = get_object_or_404(IdentityConflict, pk=pk)
        form = ConflictResolveForm(request.POST)
        if form.is_valid():
            try:
                services.identity_conflict_resolve(
                    actor=request.user, conflict=conflict, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The conflict was marked as resolved."))
                return redirect("eligibility:staff_conflicts")
        return _conflicts_page(request, failed_form=form, failed_for=conflict.pk)
