"""manage.py build_street_layer [--source DIR] [--target DIR]

Rebuilds the offline street layer shipped in `geo/static/geo/osm/` from the
OpenStreetMap extract (by default `../shared/geo/osm/` next to the repository)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.streets import STATIC_DIR, street_layer_build


class Command(BaseCommand):
    help = "Build the offline street layer (GeoJSON in static files) from an OSM extract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            default=str(Path(settings.BASE_DIR).parent / "shared" / "geo" / "osm"),
            help="Folder holding sector6_streets.geojson and sector6_places.geojson.",
        )
        parser.add_argument("--target", default=str(STATIC_DIR), help="Where to write the layer.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = street_layer_build(
                source=Path(options["source"]), target=Path(options["target"])
            )
        except FileNotFoundError as exc:
            raise CommandError(f"Missing input file: {exc}") from exc
        for f in files:
            self.stdout.write(
                f"{f.name}: {f.features} features, {f.vertices} vertices, "
                f"{f.raw_bytes:,} bytes ({f.gzip_bytes:,} gzipped)"
            )
