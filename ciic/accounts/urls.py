from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.DashboardView.as_view(), name="dashboard"),
    path("staff/", views.StaffHomeView.as_view(), name="staff_home"),
    path("staff/roles/", views.RolesView.as_view(), name="staff_roles"),
    path("staff/roles/<int:pk>/", views.RolesUpdateView.as_view(), name="staff_roles_update"),
]
