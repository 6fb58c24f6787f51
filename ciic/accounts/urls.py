from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.DashboardView.as_view(), name="dashboard"),
    path("staff/", views.StaffHomeView.as_view(), name="staff_home"),
]
