"""Geo benchmarks: bulk zone re-assignment and map rendering.

    DATABASE_URL=sqlite:////tmp/bench-geo.sqlite3 .venv/bin/python bench/geo.py [--write]

1. Re-assigning 100,000 random points of Sector 6 to the 13 default zones:
   the vectorised `geo.services.zones_assign_points` (geopandas sjoin,
   covered_by) against a naive per-point loop over prepared shapely polygons,
   timed on a sample and extrapolated, in the same run.
2. Rendering the proposals map with 5,000 points (with and without clustering)
   through `geo.maps.points_map` (the HTML document served in the iframe).

With --write the figures replace the geo section of BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciic.settings.test")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from shapely.geometry import Point, shape  # noqa: E402
from shapely.prepared import prep  # noqa: E402

N_POINTS = 100_000
NAIVE_SAMPLE = 5_000
MAP_POINTS = 5_000
REPEAT = 3


def best(fn, repeat: int = REPEAT) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    call_command("migrate", verbosity=0)
    from geo.defaults import load_default_areas
    from geo.maps import Legend, LegendItem, MapPoint, points_map
    from geo.models import Area
    from geo.services import zones_assign_points

    sector, _zones = load_default_areas()
    zones = list(Area.objects.filter(kind="zone").order_by("pk").values_list("pk", "geometry"))
    sector_geom = prep(shape(sector.geometry))
    rng = np.random.default_rng(6)
    lons = rng.uniform(sector.min_lon, sector.max_lon, N_POINTS)
    lats = rng.uniform(sector.min_lat, sector.max_lat, N_POINTS)

    t_vec, vec = best(lambda: zones_assign_points(lons, lats, zones))

    prepared = [(pk, prep(shape(g))) for pk, g in zones]

    def naive(n: int) -> list[int | None]:
        out: list[int | None] = []
        for lon, lat in zip(lons[:n], lats[:n], strict=True):
            pt = Point(lon, lat)
            out.append(next((pk for pk, g in prepared if g.covers(pt)), None))
        return out

    t_naive_sample, naive_res = best(lambda: naive(NAIVE_SAMPLE), repeat=1)
    assert naive_res == list(vec)[:NAIVE_SAMPLE], "vectorised and naive results differ"  # type: ignore[call-overload]
    t_naive = t_naive_sample * N_POINTS / NAIVE_SAMPLE
    inside = sum(1 for v in vec if v is not None)  # type: ignore[attr-defined]

    # the per-record service a naive re-assignment would call (one DB read per point)
    from geo.services import OutsideSectorError, area_locate_point

    def per_record(n: int) -> None:
        for lon, lat in zip(lons[:n], lats[:n], strict=True):
            try:
                area_locate_point(latitude=lat, longitude=lon)
            except OutsideSectorError:
                pass

    service_sample = 1_000
    t_service_sample, _r = best(lambda: per_record(service_sample), repeat=1)
    t_service = t_service_sample * N_POINTS / service_sample

    # 5,000 points inside the sector for the map
    pts = []
    i = 0
    while len(pts) < MAP_POINTS:
        lon, lat = float(lons[i]), float(lats[i])
        i += 1
        if sector_geom.contains(Point(lon, lat)):
            pts.append(
                MapPoint(
                    lat=lat,
                    lon=lon,
                    title=f"Propunere {len(pts)} <b>bancă</b>",
                    url=f"/proposals/S6-2026-{len(pts):04d}/",
                    link_label="Vezi",
                    details=[f"S6-2026-{len(pts):04d}", "Mediu · Depusă", "Cost: 120.000 RON"],
                    colour="#009E73",
                )
            )
    areas = list(Area.objects.all())
    legend = Legend("Categorie", [LegendItem("Mediu", "#009E73")])
    t_map_c, html_c = best(lambda: points_map(pts, areas=areas, legend=legend, cluster=True))
    t_map_n, html_n = best(lambda: points_map(pts, areas=areas, legend=legend, cluster=False))

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} / Python "
        f"{platform.python_version()} ({os.cpu_count()} cores), `make`-less: "
        "`.venv/bin/python bench/geo.py --write`. Best of 3 unless noted.",
        "",
        "| task | time | note |",
        "|---|---|---|",
        f"| re-assign {N_POINTS:,} points to 13 zones, vectorised (geopandas `sjoin`, `covered_by`) "
        f"| **{t_vec:.2f} s** | {inside:,} fall in a zone; same answers as the loop on the sample |",
        f"| same, naive per-point loop over prepared shapely polygons | {t_naive:.1f} s (extrapolated) "
        f"| {NAIVE_SAMPLE:,}-point sample took {t_naive_sample:.2f} s; vectorised is "
        f"{t_naive / t_vec:.0f}× faster |",
        f"| same, calling `area_locate_point` per record (what a per-row re-assignment does) "
        f"| {t_service:.0f} s (extrapolated) | {service_sample:,}-point sample took "
        f"{t_service_sample:.2f} s (SQLite); vectorised is {t_service / t_vec:.0f}× faster |",
        f"| render a {MAP_POINTS:,}-point proposals map, clustered | **{t_map_c:.2f} s** "
        f"| {len(str(html_c)) / 1e6:.1f} MB HTML, cached afterwards |",
        f"| render the same map, not clustered | {t_map_n:.2f} s | {len(str(html_n)) / 1e6:.1f} MB HTML |",
        "",
        "With only 13 simple zones a loop over prepared polygons is nearly as fast as the "
        "sjoin; the sjoin's STRtree keeps it flat as zones multiply, and the real gain is "
        "over re-locating record by record through the service (a query per point).",
        "",
        "The database side of a re-assignment (`located_records_reassign`) adds one "
        "`UPDATE … WHERE id IN (…)` per changed zone and chunk of 1,000 ids.",
    ]
    text = "\n".join(lines)
    print(text)
    if "--write" in sys.argv:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        section = f"<!-- geo:start -->\n## Geo\n\n{text}\n<!-- geo:end -->"
        if "<!-- geo:start -->" in current:
            current = re.sub(
                r"<!-- geo:start -->.*?<!-- geo:end -->", lambda _m: section, current, flags=re.S
            )
        else:
            current = current.rstrip() + "\n\n" + section + "\n"
        path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
