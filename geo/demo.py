"""Demo data for geo: the default areas, and DEMO adult populations for the
approximate zones (invented figures, shaped only so that per-capita maps have
something to show; Sector 6 had about 370,000-390,000 inhabitants in
2011-2015, roughly 310,000 adults). Never use these figures for decisions."""

from typing import Any

from .cache import map_cache_bump
from .defaults import load_default_areas
from .gazetteer import gazetteer_fill_if_empty
from .models import Area, Place

# DEMO FIGURES: not statistics. Roughly proportional to how built-up each area is.
DEMO_ADULT_POPULATION = {
    "crangasi": 27000,
    "giulesti": 21000,
    "giulesti-sarbi": 14000,
    "lacul-morii": 6000,
    "grozavesti-regie": 16000,
    "politehnica": 9000,
    "militari-lujerului": 30000,
    "militari-gorjului": 28000,
    "militari-pacii": 26000,
    "militari-preciziei": 9000,
    "drumul-taberei": 52000,
    "valea-cascadelor": 24000,
    "ghencea": 17000,
}


def seed(out: Any) -> None:
    gazetteer_fill_if_empty()
    sector, zones = load_default_areas()
    filled = 0
    for zone in zones:
        figure = DEMO_ADULT_POPULATION.get(zone.slug)
        if figure and zone.is_approximate and zone.adult_population is None:
            Area.objects.filter(pk=zone.pk).update(adult_population=figure)
            filled += 1
    if filled:
        map_cache_bump("areas", warm=False)
    out.write(
        f"geo: {sector.name} and {len(zones)} approximate zones; "
        f"demo adult populations set for {filled} zone(s) (invented figures); "
        f"gazetteer: {Place.objects.count()} places."
    )
