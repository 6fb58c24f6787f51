from django.urls import path

from . import views as map_views

app_name = "maps"
urlpatterns = [
    path("map/", map_views.proposals_map, name="proposals"),
    path("map/embed/proposals/", map_views.proposals_map_embed, name="proposals_embed"),
    path("map/results/<slug:call>/", map_views.results_map, name="results"),
    path("map/embed/results/<slug:call>/", map_views.results_map_embed, name="results_embed"),
    path("map/participation/<slug:call>/", map_views.participation_map, name="participation"),
    path(
        "map/embed/participation/<slug:call>/",
        map_views.participation_map_embed,
        name="participation_embed",
    ),
    path("api/proposals.geojson", map_views.proposals_geojson, name="proposals_geojson"),
]
