from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("staff/outbox/", views.OutboxListView.as_view(), name="staff_outbox"),
    path("staff/outbox/<int:pk>/", views.OutboxDetailView.as_view(), name="staff_outbox_email"),
]
