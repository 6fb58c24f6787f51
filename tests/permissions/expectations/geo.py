"""geo: the areas API, the place search API and the staff import page."""

from ..policy import ADMINISTRATOR, public, rule, staff

EXPECTATIONS = {
    "geo:areas_geojson": rule(public()),
    "geo:places": rule(public()),
    "geo:area_import": rule(staff({ADMINISTRATOR})),
}
