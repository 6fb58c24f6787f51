"""The Django admin, entered only through allauth and only with the second factor.

`CIICAdminConfig` replaces `django.contrib.admin` in INSTALLED_APPS so that
`admin.site` is a `CIICAdminSite`:

- its log-in page is `SignInElsewhereView` (visitors go to allauth's log-in,
  staff without the second factor to it, others get 403), its log-out is
  allauth's, its password change is allauth's;
- `has_permission` is the rule `accounts.use_django_admin` (Django's staff flag
  in a session that passed the second factor);
- every other URL of the site, including those apps add to it outside
  `admin_view` (as django-rq does for its JSON statistics), goes through
  `staff_area`. The Django admin needs no inline script: it is served under
  the site's strict Content-Security-Policy.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponseBase

ADMIN_PERMISSION = "accounts.use_django_admin"


class CIICAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm(ADMIN_PERMISSION))

    def get_urls(self) -> list[Any]:
        from ciic.accounts.decorators import decorate_urlpatterns, staff_area

        return decorate_urlpatterns(
            super().get_urls(), staff_area(ADMIN_PERMISSION), exclude={"login"}
        )

    # Django's stubs promise TemplateResponse; these answer with allauth's pages or redirects.
    def login(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponseBase:
        from ciic.accounts.views import SignInElsewhereView

        return SignInElsewhereView.as_view()(request)

    def logout(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponseBase:
        from allauth.account.views import LogoutView

        return LogoutView.as_view()(request)

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponseBase:
        from ciic.accounts.views import AllauthPageRedirectView

        return AllauthPageRedirectView.as_view(pattern_name="account_change_password")(request)

    def password_change_done(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponseBase:
        return self.password_change(request)


class CIICAdminConfig(AdminConfig):
    default_site = "ciic.admin_site.CIICAdminSite"
