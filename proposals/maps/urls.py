from django.urls import path

from ciic.public_pages import public_page

from . import views as map_views

# Cached for visitors (ciic.public_pages); the frames and the GeoJSON are the
# same for everyone (`shared`), so logged-in residents get them cached too.
MAPS = ("proposals", "calls", "areas")
RESULTS = ("proposals", "calls", "areas", "results")

app_name = "maps"
urlpatterns = [
    path("map/", public_page(*MAPS)(map_views.proposals_map), name="proposals"),
    path(
        "map/embed/proposals/",
        public_page(*MAPS, shared=True)(map_views.proposals_map_embed),
        name="proposals_embed",
    ),
    path("map/results/<slug:call>/", public_page(*RESULTS)(map_views.results_map), name="results"),
    path(
        "map/embed/results/<slug:call>/",
        public_page(*RESULTS, shared=True)(map_views.results_map_embed),
        name="results_embed",
    ),
    path(
        "map/participation/<slug:call>/",
        public_page(*RESULTS)(map_views.participation_map),
        name="participation",
    ),
    path(
        "map/embed/participation/<slug:call>/",
        public_page(*RESULTS, shared=True)(map_views.participation_map_embed),
        name="participation_embed",
    ),
    path(
        "api/proposals.geojson",
        public_page(*MAPS, shared=True)(map_views.proposals_geojson),
        name="proposals_geojson",
    ),
    path(
        "api/proposals.points.json",
        public_page(*MAPS, shared=True)(map_views.proposals_points),
        name="proposals_points",
    ),
]
