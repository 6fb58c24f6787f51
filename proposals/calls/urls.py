from django.urls import path

from . import views

# Mounted inside the "proposals" namespace (see proposals/urls.py).
urlpatterns = [
    path("staff/calls/", views.CallListView.as_view(), name="staff_calls"),
    path("staff/calls/new/", views.CallFormView.as_view(), name="staff_call_new"),
    path("staff/calls/<int:pk>/edit/", views.CallFormView.as_view(), name="staff_call_edit"),
]
