from django.urls import path, re_path

from ciic.public_pages import public_page

from . import views

# Cached for visitors (ciic.public_pages); workshop services bump "workshops".
PUBLIC = ("workshops", "areas")

app_name = "workshops"
urlpatterns = [
    path("workshops/", public_page(*PUBLIC)(views.WorkshopIndexView.as_view()), name="index"),
    path("workshops/map/", public_page(*PUBLIC)(views.workshop_map), name="map"),
    path("workshops/calendar.ics", views.programme_ics, name="calendar"),
    path(
        "workshops/<int:pk>/",
        public_page(*PUBLIC)(views.WorkshopDetailView.as_view()),
        name="detail",
    ),
    path("workshops/<int:pk>/workshop.ics", views.workshop_ics, name="ics"),
    path("workshops/<int:pk>/register/", views.RegisterView.as_view(), name="register"),
    path(
        "workshops/<int:pk>/cancel-registration/",
        views.CancelRegistrationView.as_view(),
        name="cancel_registration",
    ),
    path("staff/workshops/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/workshops/new/", views.StaffWorkshopNewView.as_view(), name="staff_new"),
    path("staff/workshops/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    re_path(
        r"^staff/workshops/dashboard/workshops\.(?P<fmt>csv|xlsx)$",
        views.ExportView.as_view(),
        name="export",
    ),
    path("staff/workshops/<int:pk>/", views.ConsoleView.as_view(), name="console"),
    path("staff/workshops/<int:pk>/edit/", views.StaffWorkshopEditView.as_view(), name="edit"),
    path("staff/workshops/<int:pk>/status/", views.StaffStatusView.as_view(), name="status"),
    path("staff/workshops/<int:pk>/check-in/", views.CheckInView.as_view(), name="check_in"),
    path("staff/workshops/<int:pk>/walk-ins/", views.WalkInsView.as_view(), name="walk_ins"),
    path("staff/workshops/<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path("staff/workshops/<int:pk>/ideas/", views.IdeaAddView.as_view(), name="idea_add"),
    path("staff/workshops/<int:pk>/photos/", views.PhotoAddView.as_view(), name="photo_add"),
    path("staff/workshops/<int:pk>/verify/", views.VerifyView.as_view(), name="verify"),
    path(
        "staff/workshops/ideas/<int:pk>/proposal/",
        views.IdeaProposalView.as_view(),
        name="idea_proposal",
    ),
]
