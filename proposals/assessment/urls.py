"""The console under /staff/assessment/ (staff with the second factor: the
whole area goes through `staff_area`), and the author's actions under the
proposal's own address."""

from django.urls import path, re_path

from ciic.accounts.decorators import decorate_urlpatterns, staff_area

from . import views

app_name = "assessment"
REF = r"(?P<reference>S6-\d{4}-\d{4,})"

staff_patterns = [
    path("staff/assessment/", views.QueueView.as_view(), name="queue"),
    path("staff/assessment/assign/", views.AssignView.as_view(), name="assign"),
    path("staff/assessment/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("staff/assessment/export.csv", views.ExportView.as_view(fmt="csv"), name="export_csv"),
    path("staff/assessment/export.xlsx", views.ExportView.as_view(fmt="xlsx"), name="export_xlsx"),
    re_path(rf"^staff/assessment/{REF}/$", views.AssessmentDetailView.as_view(), name="detail"),
    re_path(
        rf"^staff/assessment/{REF}/(?P<action>[a-z_]+)/$",
        views.AssessmentActionView.as_view(),
        name="act",
    ),
]

urlpatterns = [
    *decorate_urlpatterns(staff_patterns, staff_area("assessment.view_queue")),
    re_path(rf"^proposals/{REF}/messages/$", views.AuthorMessageView.as_view(), name="message"),
    re_path(rf"^proposals/{REF}/appeal/$", views.AppealLodgeView.as_view(), name="appeal"),
]
