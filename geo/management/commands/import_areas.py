"""manage.py import_areas FILE --kind sector|zone --name-field NAME [--population-field F]"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geo.importers import AreaImportError, areas_import
from geo.models import Area


class Command(BaseCommand):
    help = (
        "Replace the sector boundary or the planning zones with those in a GeoJSON, "
        "GeoPackage or shapefile (.shp or zipped). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=Area.Kind.values)
        parser.add_argument("--name-field", required=True, help="Column holding each area's name.")
        parser.add_argument("--population-field", default=None, help="Optional adult population.")
        parser.add_argument("--source", default="", help="Where the file comes from.")
        parser.add_argument("--attribution", default="", help="Attribution to show on maps.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = areas_import(
                actor=None,
                path=options["file"],
                kind=options["kind"],
                name_field=options["name_field"],
                population_field=options["population_field"],
                source=options["source"],
                attribution=options["attribution"],
            )
        except AreaImportError as exc:
            raise CommandError(exc.report.as_text()) from exc
        self.stdout.write(self.style.SUCCESS(report.as_text()))
