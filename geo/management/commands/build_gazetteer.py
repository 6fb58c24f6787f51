"""manage.py build_gazetteer [--reset]

Reloads the place search from the shipped open data (OpenStreetMap streets,
metro stations, parks) and the current planning zones. An imported register
keeps its kinds; `--reset` drops it and goes back to the open data."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from geo.gazetteer import gazetteer_osm_load, gazetteer_reset, gazetteer_zones_sync


class Command(BaseCommand):
    help = "Rebuild the place search from the open data and the zones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Also drop an imported register.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            count = gazetteer_reset(actor=None)
        else:
            count = gazetteer_osm_load() + gazetteer_zones_sync()
        self.stdout.write(self.style.SUCCESS(f"Gazetteer: {count} places."))
