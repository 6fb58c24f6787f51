"""Thin views: parse, check the permission, call one service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ciic.accounts.mixins import RulesPermissionMixin

from . import selectors, services
from .fields import field_messages, missing_by_step
from .forms import (
    CostForm,
    FilesForm,
    ListFilterForm,
    WhatForm,
    WhereForm,
    errors_to_form,
)
from .journey import proposal_next_step
from .models import Call, Proposal
from .templatetags.proposals_tags import ron

STEP_NAMES = ["what", "where", "cost", "files", "review"]


def _steps() -> list[tuple[str, str]]:
    from django.utils.translation import gettext

    labels = {
        "what": gettext("What"),
        "where": gettext("Where"),
        "cost": gettext("How much"),
        "files": gettext("Images and documents"),
        "review": gettext("Review"),
    }
    return [(name, labels[name]) for name in STEP_NAMES]


# --- public pages ---------------------------------------------------------------------


class ProposalListView(TemplateView):
    template_name = "proposals/proposal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = ListFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        calls = list(selectors.calls_all())
        call = next((c for c in calls if c.slug == data.get("call")), None)
        qs = selectors.proposal_list(
            call=call,
            category=data.get("category", ""),
            zone_slug=data.get("zone", ""),
            status=data.get("status", ""),
            q=data.get("q", ""),
            sort=data.get("sort") or "newest",
        )
        page = Paginator(qs, selectors.PAGE_SIZE).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            form=form,
            filters=data,
            calls=calls,
            zones=selectors.zones_all(),
            page_obj=page,
            proposals=_with_photos(page.object_list),
            query_string=params.urlencode(),
        )
        return ctx


def _with_photos(proposals: Any) -> list[Proposal]:
    """The cards' first photos, in one query for the whole page."""
    from django.db.models import prefetch_related_objects

    rows = list(proposals)
    prefetch_related_objects(rows, "images")
    return rows


class ProposalDetailView(TemplateView):
    template_name = "proposals/proposal_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        try:
            proposal = selectors.proposal_public_get(reference=kwargs["reference"])
        except Proposal.DoesNotExist:
            raise Http404(_("No proposal has this reference.")) from None
        ctx.update(
            proposal=proposal,
            timeline=selectors.proposal_timeline_entries(proposal=proposal),
            # Filled by the assessment module once an assessment is public.
            assessment=None,
        )
        return ctx


# --- authors ----------------------------------------------------------------------------


class MyProposalsView(LoginRequiredMixin, TemplateView):
    template_name = "proposals/my_proposals.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = [
            {
                "proposal": r.proposal,
                "can_edit": r.can_edit,
                "next_step": proposal_next_step(r.proposal, can_edit=r.can_edit),
            }
            for r in selectors.author_proposal_rows(user=self.request.user)
        ]
        ctx.update(
            drafts=[r for r in rows if r["proposal"].status == Proposal.Status.DRAFT],
            submitted=[r for r in rows if r["proposal"].status != Proposal.Status.DRAFT],
            call=selectors.call_current(),
        )
        return ctx


class ProposalStartView(PermissionRequiredMixin, View):
    """Step 1 for a new proposal: nothing is stored until it is valid."""

    permission_required = "proposals.submit_to_call"
    template_name = "proposals/proposal_form.html"

    def get_permission_object(self) -> Call:
        if not hasattr(self, "_call"):
            self._call = get_object_or_404(
                Call.objects.prefetch_related("categories"), slug=self.kwargs["slug"]
            )
        return self._call

    def handle_no_permission(self) -> HttpResponse:
        if not self.request.user.is_authenticated:
            return redirect_to_login(self.request.get_full_path())
        call = self.get_permission_object()
        messages.error(
            self.request,
            format_html(
                '{} <a href="{}">{}</a>',
                _submit_blocked_reason(self.request, call),
                reverse("proposals:propose"),
                _("See what is still missing"),
            ),
        )
        return redirect("proposals:mine")

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self._render(WhatForm(call=self.get_permission_object()))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        call = self.get_permission_object()
        form = WhatForm(request.POST, call=call)
        if form.is_valid():
            try:
                proposal = services.proposal_draft_create(
                    actor=request.user, call=call, **form.cleaned_data
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                _draft_saved(request, _("Draft saved. You can come back to it at any time."))
                return redirect("proposals:edit", pk=proposal.pk, step="where")
        return self._render(form, status=400)

    def _render(self, form: Any, status: int = 200) -> HttpResponse:
        from django.shortcuts import render

        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "call": self.get_permission_object(),
                "step": "what",
                "steps": _steps(),
                "proposal": None,
            },
            status=status,
        )


def _draft_saved(request: HttpRequest, text: str) -> None:
    """ "Draft saved", with the way back to it: the resident's list of proposals."""
    link = format_html(
        '<a href="{}">{}</a>', reverse("proposals:mine"), _("Find your drafts in “My proposals”.")
    )
    messages.success(request, format_html("{} {}", text, link))


def _submit_blocked_reason(request: HttpRequest, call: Call) -> str:
    return selectors.call_submit_status(call=call, user=request.user).message


class _AuthorProposalMixin(RulesPermissionMixin):
    """Loads the proposal from the URL; anyone but its author gets 403."""

    permission_required = "proposals.change_proposal"
    kwargs: dict[str, Any]

    def get_permission_object(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = get_object_or_404(
                selectors.proposal_for_edit_qs(), pk=self.kwargs["pk"]
            )
        return self._proposal


class ProposalEditView(_AuthorProposalMixin, View):
    template_name = "proposals/proposal_form.html"

    def _form(self, step: str, data: Any = None, files: Any = None) -> Any:
        p = self.get_permission_object()
        if step == "what":
            initial = {f: getattr(p, f) for f in ("title", "summary", "description", "category")}
            return WhatForm(data, call=p.call, initial=initial)
        if step == "where":
            initial = {
                "whole_sector": p.whole_sector,
                "latitude": p.latitude,
                "longitude": p.longitude,
            }
            return WhereForm(data, initial=initial)
        if step == "cost":
            # Shown as the resident types it: "180.000", not "180000.00".
            initial = {"cost_estimate": ron(p.cost_estimate)}
            return CostForm(data, call=p.call, initial=initial)
        if step == "files":
            initial = {
                "consent_publication": p.consent_publication,
                "consent_image_rights": p.consent_image_rights,
            }
            return FilesForm(data, files, proposal=p, initial=initial)
        return None

    def get(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if step not in STEP_NAMES:
            raise Http404
        return self._render(step, self._form(step))

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if step not in STEP_NAMES or step == "review":
            raise Http404
        proposal = self.get_permission_object()
        form = self._form(step, request.POST, request.FILES)
        if form.is_valid():
            try:
                self._save(step, proposal, form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                if proposal.status == Proposal.Status.DRAFT:
                    _draft_saved(request, _("Draft saved."))
                else:
                    messages.success(
                        request, _("Your changes are saved and visible on the proposal's page.")
                    )
                nxt = STEP_NAMES[STEP_NAMES.index(step) + 1]
                if "stay" in request.POST:
                    nxt = step
                return redirect("proposals:edit", pk=proposal.pk, step=nxt)
        self._proposal = selectors.proposal_for_edit_qs().get(pk=proposal.pk)
        return self._render(step, form, status=400)

    def _save(self, step: str, proposal: Proposal, data: dict[str, Any]) -> None:
        user = self.request.user
        if step != "files":
            services.proposal_update(actor=user, proposal=proposal, data=data)
            return
        services.proposal_files_save(
            actor=user,
            proposal=proposal,
            consent_publication=data["consent_publication"],
            consent_image_rights=data["consent_image_rights"],
            images=data["images"],
            attachments=data["attachments"],
        )

    def _render(self, step: str, form: Any, status: int = 200) -> HttpResponse:
        from django.shortcuts import render

        proposal = self.get_permission_object()
        ctx: dict[str, Any] = {
            "form": form,
            "proposal": proposal,
            "call": proposal.call,
            "step": step,
            "steps": _steps(),
        }
        if step == "review":
            ctx["missing"] = missing_by_step(services.proposal_missing_fields(proposal=proposal))
            ctx["can_submit"] = proposal.status == Proposal.Status.DRAFT
            ctx["can_resubmit"] = self.request.user.has_perm("proposals.resubmit", proposal)
        return render(self.request, self.template_name, ctx, status=status)


class ProposalSubmitView(_AuthorProposalMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.get_permission_object()
        try:
            proposal = services.proposal_submit(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            for message in field_messages(exc):
                messages.error(request, message)
            return redirect("proposals:edit", pk=proposal.pk, step="review")
        if proposal.status == Proposal.Status.RESUBMITTED:
            messages.success(request, _("Your proposal was sent again to the assessors."))
        else:
            messages.success(
                request,
                _("Thank you! Your proposal is published with the reference %(ref)s.")
                % {"ref": proposal.reference},
            )
        return redirect(proposal.get_absolute_url())


class ProposalDeleteView(RulesPermissionMixin, View):
    permission_required = "proposals.delete_proposal"

    def get_permission_object(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = get_object_or_404(Proposal, pk=self.kwargs["pk"])
        return self._proposal

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The confirmation page (works without JavaScript)."""
        from django.shortcuts import render

        return render(
            request, "proposals/proposal_delete.html", {"proposal": self.get_permission_object()}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        services.proposal_draft_delete(actor=request.user, proposal=self.get_permission_object())
        messages.success(request, _("The draft was deleted."))
        return redirect("proposals:mine")


class ProposalFileRemoveView(_AuthorProposalMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.get_permission_object()

        def _id(name: str) -> int | None:
            value = request.POST.get(name, "")
            return int(value) if value.isdigit() else None

        services.proposal_file_remove(
            actor=request.user,
            proposal=proposal,
            image_id=_id("image"),
            attachment_id=_id("attachment"),
        )
        messages.success(request, _("The file was removed."))
        return redirect("proposals:edit", pk=proposal.pk, step="files")


# --- files ------------------------------------------------------------------------------


class ProposalFileView(View):
    """Images and PDFs of proposals, served only to those who may see the
    proposal: anyone for a public proposal, only the author for a draft.

    Every `MEDIA_URL/proposals/...` address comes here, in production too: the
    web server must pass that prefix to Django instead of serving it from
    MEDIA_ROOT (see README, "Media files"). With `MEDIA_X_ACCEL_REDIRECT` set
    (e.g. "/internal-media/", an `internal` nginx location aliasing MEDIA_ROOT),
    Django only checks the permission and nginx sends the bytes."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, name: str) -> HttpResponseBase:
        stored = selectors.proposal_file_get(name=f"proposals/{name}")
        # Not allowed looks like not found: a draft's files do not exist for others.
        if stored is None or not request.user.has_perm("proposals.view_proposal", stored.proposal):
            raise Http404
        prefix = getattr(settings, "MEDIA_X_ACCEL_REDIRECT", "")
        response: HttpResponseBase
        if prefix:
            response = HttpResponse(content_type=stored.content_type)
            response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.name)
        else:
            try:
                handle = default_storage.open(stored.name, "rb")
            except FileNotFoundError:
                raise Http404 from None
            response = FileResponse(
                handle, content_type=stored.content_type, filename=stored.download_name
            )
        if stored.proposal.is_public:
            # Public and immutable (names are random; a removed file is deleted).
            response["Cache-Control"] = "public, max-age=3600"
        else:
            response["Cache-Control"] = "private, no-store"
        return response


# --- staff ----------------------------------------------------------------------------


class StaffProposalListView(RulesPermissionMixin, TemplateView):
    permission_required = "proposals.view_staff_list"
    template_name = "proposals/staff_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        q = self.request.GET.get("q", "")
        qs = selectors.proposal_staff_list(status=status, q=q)
        page = Paginator(qs, 50).get_page(self.request.GET.get("page"))
        # Status changes happen only through the assessment (proposals.assessment).
        rows = [{"proposal": p} for p in page.object_list]
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            rows=rows,
            page_obj=page,
            status=status,
            q=q,
            statuses=[c for c in Proposal.Status.choices if c[0] != Proposal.Status.DRAFT],
            query_string=params.urlencode(),
        )
        return ctx


class StaffVersionsView(RulesPermissionMixin, TemplateView):
    permission_required = "proposals.view_versions"
    template_name = "proposals/staff_versions.html"

    def get_permission_object(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = get_object_or_404(
                Proposal.objects.public().select_related("call"), reference=self.kwargs["reference"]
            )
        return self._proposal

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        proposal = self.get_permission_object()
        ctx.update(proposal=proposal, versions=selectors.version_diffs(proposal=proposal))
        return ctx
