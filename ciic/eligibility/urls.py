from django.urls import path

from . import views

app_name = "eligibility"
urlpatterns = [
    path("me/profile/", views.ProfileView.as_view(), name="profile"),
    path("me/verify/", views.RegisterMatchView.as_view(), name="register_match"),
    path("staff/residents/", views.ResidentListView.as_view(), name="staff_residents"),
    path("staff/residents/<int:pk>/", views.ResidentDetailView.as_view(), name="staff_resident"),
    path(
        "staff/residents/<int:pk>/profile/",
        views.ResidentProfileEditView.as_view(),
        name="staff_resident_profile",
    ),
    path(
        "staff/residents/<int:pk>/verify/",
        views.VerifyInPersonView.as_view(),
        name="staff_verify",
    ),
    path(
        "staff/residents/<int:pk>/residence/",
        views.ResidenceEditView.as_view(),
        name="staff_resident_residence",
    ),
    path(
        "staff/verifications/<int:pk>/revoke/",
        views.RevokeView.as_view(),
        name="staff_revoke",
    ),
    path(
        "staff/register/import/",
        views.RegisterImportView.as_view(),
        name="staff_register_import",
    ),
    path("staff/conflicts/", views.ConflictListView.as_view(), name="staff_conflicts"),
    path(
        "staff/conflicts/<int:pk>/resolve/",
        views.ConflictResolveView.as_view(),
        name="staff_conflict_resolve",
    ),
]
