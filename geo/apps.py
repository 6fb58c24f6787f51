from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _fill_gazetteer(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """An empty gazetteer gets the open data after `migrate` (as contenttypes
    and permissions do), so every installation can search streets at once."""
    from django.db import connections

    from .gazetteer import gazetteer_fill_if_empty
    from .models import Place

    if (
        using != "default"
        or Place._meta.db_table not in connections[using].introspection.table_names()
    ):
        return
    gazetteer_fill_if_empty()


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = _("Geo")

    def ready(self) -> None:
        post_migrate.connect(_fill_gazetteer, sender=self, dispatch_uid="geo.fill_gazetteer")
