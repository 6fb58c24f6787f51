from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """The sector or one of its planning zones. The geometry is GeoJSON
    (WGS84); the bounding box makes a cheap pre-filter before exact tests."""

    class Kind(models.TextChoices):
        SECTOR = "sector", _("Sector")
        ZONE = "zone", _("Planning zone")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    adult_population = models.PositiveIntegerField(_("adult population"), null=True, blank=True)
    is_approximate = models.BooleanField(
        _("approximate"),
        default=False,
        help_text=_("Zones cut around seed points, not official boundaries."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="geo_area_kind_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    min_lon__lte=models.F("max_lon"), min_lat__lte=models.F("max_lat")
                ),
                name="geo_area_bbox_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """One entry of the gazetteer: a named street, landmark or zone with a
    point to move a map to, an optional bounding box to fit, and optionally
    its geometry (streets: their lines, for "which street is this point on").
    `search_key` is the folded name plus aliases (see `geo.text`), so search
    ignores case and diacritics identically on SQLite and PostgreSQL."""

    class Kind(models.TextChoices):
        STREET = "street", _("Street")
        METRO_STATION = "metro_station", _("Metro station")
        PARK = "park", _("Park")
        ZONE = "zone", _("Planning zone")
        LANDMARK = "landmark", _("Place")

    class Source(models.TextChoices):
        OSM = "osm", _("OpenStreetMap")
        ZONES = "zones", _("Planning zones")
        REGISTER = "register", _("Imported register")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    search_key = models.CharField(max_length=600, db_index=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    # Lower is more important (a boulevard before an alley); ties go by name.
    rank = models.PositiveSmallIntegerField(default=5)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="places"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["rank", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "name"], name="geo_place_source_kind_name_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="geo_place_point_on_globe",
            ),
            models.CheckConstraint(
                condition=models.Q(min_lon__isnull=True)
                | models.Q(min_lon__lte=models.F("max_lon"), min_lat__lte=models.F("max_lat")),
                name="geo_place_bbox_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name
