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
