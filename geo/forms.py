from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .importers import ALLOWED_SUFFIXES
from .models import Area

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class AreaImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("GeoJSON, GeoPackage, or a shapefile as a .zip (with its .prj)."),
    )
    kind = forms.ChoiceField(label=_("Replace"), choices=Area.Kind.choices, initial=Area.Kind.ZONE)
    name_field = forms.CharField(label=_("Name column"), max_length=80, initial="name")
    population_field = forms.CharField(
        label=_("Adult population column (optional)"), max_length=80, required=False
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    attribution = forms.CharField(
        label=_("Attribution to show on maps"), max_length=300, required=False
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES - {".shp"}:
            raise forms.ValidationError(
                _("Upload a .geojson, .json, .gpkg file or a zipped shapefile (.zip).")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload
