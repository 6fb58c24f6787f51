from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/dashboard.html"


class StaffHomeView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "accounts.view_staff_pages"
    raise_exception = True
    template_name = "accounts/staff_home.html"
