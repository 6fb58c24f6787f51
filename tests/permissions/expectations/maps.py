"""proposals.maps.urls: public maps, their embedded documents, the GeoJSON API."""

from ..policy import NOT_FOUND, Case, cases, public, rule

CALL = lambda w: {"call": w.call.slug}  # noqa: E731

EXPECTATIONS = {
    "maps:proposals": rule(public()),
    "maps:proposals_embed": rule(public()),
    "maps:results": cases(
        Case(public(), CALL), Case(public(NOT_FOUND), lambda w: {"call": "nope"})
    ),
    "maps:results_embed": rule(public(), CALL),
    "maps:participation": rule(public(), CALL),
    "maps:participation_embed": rule(public(), CALL),
    "maps:proposals_geojson": rule(public()),
    "maps:proposals_points": rule(public()),
}
