from django.conf import settings
from django.urls import path, re_path

from ciic.public_pages import public_page

from . import journey_views, views
from .calls.urls import urlpatterns as call_urlpatterns

app_name = "proposals"
urlpatterns = [
    path(
        "proposals/",
        public_page("proposals", "calls", "areas")(views.ProposalListView.as_view()),
        name="list",
    ),
    path("proposals/mine/", views.MyProposalsView.as_view(), name="mine"),
    path("propose/", journey_views.ProposeView.as_view(), name="propose"),
    path("proposals/new/<slug:slug>/", views.ProposalStartView.as_view(), name="start"),
    path("proposals/edit/<int:pk>/submit/", views.ProposalSubmitView.as_view(), name="submit"),
    path("proposals/edit/<int:pk>/delete/", views.ProposalDeleteView.as_view(), name="delete"),
    path(
        "proposals/edit/<int:pk>/files/remove/",
        views.ProposalFileRemoveView.as_view(),
        name="file_remove",
    ),
    path("proposals/edit/<int:pk>/<slug:step>/", views.ProposalEditView.as_view(), name="edit"),
    re_path(
        r"^proposals/(?P<reference>S6-\d{4}-\d{4,})/$",
        public_page("proposals", "calls")(views.ProposalDetailView.as_view()),
        name="detail",
    ),
    # Files of proposals (drafts' only to their author), under MEDIA_URL.
    path(
        f"{settings.MEDIA_URL.strip('/')}/proposals/<path:name>",
        views.ProposalFileView.as_view(),
        name="file",
    ),
    path("staff/proposals/", views.StaffProposalListView.as_view(), name="staff_list"),
    re_path(
        r"^staff/proposals/(?P<reference>S6-\d{4}-\d{4,})/versions/$",
        views.StaffVersionsView.as_view(),
        name="staff_versions",
    ),
    *call_urlpatterns,
]
