from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ciic.eligibility import selectors as eligibility_selectors
from ciic.eligibility.models import ResidentProfile

from . import services
from .forms import RolesForm, UserSearchForm
from .mixins import RulesPermissionMixin
from .models import Role, User
from .second_factor import second_factor_url
from .selectors import users_with_roles


class DashboardView(LoginRequiredMixin, TemplateView):
    """The resident's page: account, profile, verification status and next step."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = cast(User, self.request.user)
        history = list(eligibility_selectors.verification_history(user=user))
        ctx.update(
            profile=ResidentProfile.objects.filter(user=user).first(),
            decision=eligibility_selectors.participation_check(
                user=user, on_date=timezone.localdate()
            ),
            history=history,
            register_available=eligibility_selectors.register_size() > 0,
        )
        return ctx


class StaffHomeView(RulesPermissionMixin, TemplateView):
    permission_required = "accounts.view_staff_pages"
    template_name = "accounts/staff_home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["open_conflicts"] = eligibility_selectors.conflicts_open_count()
        ctx["register_size"] = eligibility_selectors.register_size()
        return ctx


def _roles_page(
    request: HttpRequest, *, failed_form: RolesForm | None = None, failed_for: User | None = None
) -> HttpResponse:
    data = {"q": failed_for.email} if failed_for is not None else request.GET or None
    search = UserSearchForm(data)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    accounts = list(users_with_roles(query=query))
    rows = []
    for account in accounts:
        if failed_for is not None and failed_for.pk == account.pk and failed_form is not None:
            form = failed_form
        else:
            form = RolesForm(
                initial={"roles": [g.name for g in getattr(account, "role_groups", [])]},
                prefix=f"u{account.pk}",
            )
        rows.append((account, form))
    return render(
        request,
        "accounts/staff_roles.html",
        {"search": search, "query": query, "rows": rows, "roles": Role},
    )


class RolesView(RulesPermissionMixin, View):
    permission_required = "accounts.manage_roles"

    def get(self, request: HttpRequest) -> HttpResponse:
        return _roles_page(request)


class RolesUpdateView(RulesPermissionMixin, View):
    permission_required = "accounts.manage_roles"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = get_object_or_404(User, pk=pk)
        form = RolesForm(request.POST, prefix=f"u{account.pk}")
        if form.is_valid():
            try:
                services.user_roles_set(
                    actor=request.user, user=account, roles=form.cleaned_data["roles"]
                )
            except ValidationError as exc:
                form.add_error("roles", exc.message_dict.get("roles", exc.messages))
            else:
                messages.success(
                    request, _("Roles of %(email)s were saved.") % {"email": account.email}
                )
                query = urlencode({"q": account.email})
                return redirect(f"{reverse('accounts:staff_roles')}?{query}")
        return _roles_page(request, failed_form=form, failed_for=account)


# --- log-in pages of other apps -------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    nxt = request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return "/"


class SignInElsewhereView(View):
    """Where the log-in pages of Django's admin, Wagtail (admin and front end)
    and their page/document password forms used to be. Nobody signs in here:
    visitors go to allauth's log-in (rate limits, email confirmation, TOTP); a
    staff member whose session lacks the second factor goes to it; anyone
    already fully logged in goes on to `next` (whose own permission check
    answers; the admin areas refuse with 403 before sending anyone here)."""

    http_method_names = ["get", "post", "head"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        nxt = _safe_next(request)
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': nxt})}")
        return HttpResponseRedirect(second_factor_url(request, nxt) or nxt)


class AllauthPageRedirectView(View):
    """Password pages of other apps: the same page of allauth (query kept)."""

    http_method_names = ["get", "post", "head"]
    pattern_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        url = reverse(self.pattern_name)
        if request.GET.get("next"):
            url += "?" + urlencode({"next": _safe_next(request)})
        return HttpResponseRedirect(url)
