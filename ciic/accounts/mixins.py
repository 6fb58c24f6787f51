"""Permission mixin for pages: anonymous visitors are sent to log in, logged-in
users without the permission get a 403 (never a 500, never a leak)."""

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rules.contrib.views import PermissionRequiredMixin


class RulesPermissionMixin(PermissionRequiredMixin):
    raise_exception = False
    request: HttpRequest

    def handle_no_permission(self) -> Any:
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(
            self.request.get_full_path(), self.get_login_url(), self.get_redirect_field_name()
        )
