from django.urls import path

from . import data_views, views

app_name = "accounts"
urlpatterns = [
    path("me/", views.DashboardView.as_view(), name="dashboard"),
    path("me/data/", data_views.MyDataView.as_view(), name="my_data"),
    path("me/data.json", data_views.MyDataJsonView.as_view(), name="my_data_json"),
    path("me/delete/", data_views.AccountDeleteView.as_view(), name="account_delete"),
    path("staff/", views.StaffHomeView.as_view(), name="staff_home"),
    path("staff/roles/", views.RolesView.as_view(), name="staff_roles"),
    path("staff/roles/<int:pk>/", views.RolesUpdateView.as_view(), name="staff_roles_update"),
]
