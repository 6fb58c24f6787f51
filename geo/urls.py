from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("api/areas.geojson", views.areas_geojson, name="areas_geojson"),
    path("api/places/", views.places_api, name="places"),
    path("staff/areas/import/", views.AreaImportView.as_view(), name="area_import"),
]
