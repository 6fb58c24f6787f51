"""The default areas: the official Sector 6 limit and approximate planning
zones (Voronoi cells around hand-placed neighbourhood seeds, cut to the sector)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.db import transaction
from shapely import voronoi_polygons
from shapely.geometry import MultiPoint, Point, mapping, shape

from ciic.cache import content_changed

from .gazetteer import gazetteer_zones_sync
from .models import Area, Place

DATA_DIR = Path(__file__).resolve().parent / "data"
SECTOR_FILE = DATA_DIR / "sector6_ancpi_2018.geojson"
SEEDS_FILE = DATA_DIR / "sector6_neighbourhood_seeds.csv"
ANCPI_ATTRIBUTION = (
    "Limite administrative: © ANCPI – Conține informații publice în baza "
    "Licenței pentru Guvernare Deschisă v1.0 (OGL-ROU-1.0)."
)
# On small maps (phones, a proposal's page), next to the full text on the page.
ANCPI_SHORT_ATTRIBUTION = "© ANCPI (OGL-ROU-1.0)"


def _fields(geom) -> dict:  # type: ignore[no-untyped-def]
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return {
        "geometry": mapping(geom),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
    }


@transaction.atomic
def load_default_areas() -> tuple[Area, list[Area]]:
    """Create the sector and the approximate zones if absent. Idempotent."""
    feature = json.loads(SECTOR_FILE.read_text(encoding="utf-8"))["features"][0]
    sector_geom = shape(feature["geometry"])
    sector, created = Area.objects.get_or_create(
        kind=Area.Kind.SECTOR,
        slug="sector-6",
        defaults={
            "name": "Sectorul 6",
            "source": "ANCPI INSPIRE Administrative Units, 2018-07-16",
            "attribution": ANCPI_ATTRIBUTION,
            **_fields(sector_geom),
        },
    )
    zones = list(Area.objects.filter(kind=Area.Kind.ZONE))
    if zones:
        if not Place.objects.filter(source=Place.Source.ZONES).exists():
            gazetteer_zones_sync()
        if created:
            content_changed("areas", warm=False)
        return sector, zones
    with SEEDS_FILE.open(encoding="utf-8") as fh:
        seeds = list(csv.DictReader(fh))
    points = MultiPoint([Point(float(s["lon"]), float(s["lat"])) for s in seeds])
    cells = voronoi_polygons(points, extend_to=sector_geom)
    for seed in seeds:
        pt = Point(float(seed["lon"]), float(seed["lat"]))
        cell = next(c for c in cells.geoms if c.covers(pt))
        zone_geom = cell.intersection(sector_geom)
        zones.append(
            Area.objects.create(
                kind=Area.Kind.ZONE,
                slug=seed["slug"],
                name=seed["name"],
                is_approximate=True,
                source="Voronoi cell around an approximate neighbourhood centre (CIIC)",
                attribution=ANCPI_ATTRIBUTION,
                **_fields(zone_geom),
            )
        )
    gazetteer_zones_sync()
    content_changed("areas", warm=False)
    return sector, zones
