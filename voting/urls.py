from django.urls import path

from ciic.public_pages import public_page

from . import views

# Cached for visitors (ciic.public_pages); publishing a result bumps "results".
RESULTS = ("results", "calls", "proposals")

app_name = "voting"
urlpatterns = [
    path("vote/<slug:call>/", views.ballot, name="ballot"),
    path("vote/<slug:call>/done/", views.ballot_done, name="ballot_done"),
    path("vote/<slug:call>/desk/", views.desk, name="desk"),
    path("staff/voting/<slug:call>/", views.manage, name="manage"),
    path("results/", public_page(*RESULTS)(views.results_index), name="results_index"),
    path(
        "results/<slug:call>/",
        public_page(*RESULTS)(views.results_detail),
        name="results_detail",
    ),
    path("results/<slug:call>/receipts/", views.receipts, name="receipts"),
    path("results/<slug:call>/ballots.pb", views.ballots_pb, name="ballots_pb"),
    path("results/<slug:call>/ballots-<slug:unit>.pb", views.ballots_pb, name="ballots_pb_unit"),
    path("results/<slug:call>/results.csv", views.results_csv, name="results_csv"),
]
