"""manage.py import_gazetteer FILE [--crs EPSG:3844] [--source TEXT]

Replaces the gazetteer entries of the kinds in the file (usually the
streets) with the council's register: a CSV (name, lat, lon; or x, y in
--crs; optional type, kind, alt_names) or a GeoJSON FeatureCollection.
All or nothing: every problem is reported with its line or feature number
and nothing changes until the whole file is right."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.gazetteer import GazetteerImportError, gazetteer_import


class Command(BaseCommand):
    help = (
        "Import a street register (CSV or GeoJSON) into the place search, replacing the "
        "open data of the same kinds. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--crs",
            default="EPSG:4326",
            help="Coordinate system of a CSV's x/y columns (e.g. EPSG:3844, Stereo70). "
            "Default: WGS84 with lat/lon columns.",
        )
        parser.add_argument("--source", default="", help="Where the register comes from.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = gazetteer_import(
                actor=None, path=options["file"], crs=options["crs"], source=options["source"]
            )
        except GazetteerImportError as exc:
            raise CommandError(exc.report.as_text()) from exc
        self.stdout.write(self.style.SUCCESS(report.as_text()))
