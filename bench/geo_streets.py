"""Street-layer benchmark: what a phone downloads and how fast the map is drawn.

    .venv/bin/python bench/geo_streets.py [--write] [--runs 5] [--port 8149]

Set-up, as production runs: a temporary SQLite database (migrated, the default
areas, a call and 200 public proposals inside the sector), `collectstatic`
with whitenoise's compressed manifest storage, and gunicorn under
`ciic.settings.production` (only SECURE_SSL_REDIRECT off, for plain HTTP on the
loopback). Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens
each page at 360×780 px, device pixel ratio 2, with a cold cache:

- transferred: the bytes on the wire for every request of the page and of its
  map iframe (headers + gzipped bodies), and the same bodies uncompressed;
- drawn: from the start of navigation to the moment the street layer, the
  landmarks and every label are on screen (`window.ciicStreetsDrawnAt` in the
  map's document, after two animation frames), and the script work of the
  street layer in it (building the layers, placing and painting the labels;
  `window.ciicStreetsWork`);
- reference, in the same run: the same page with the street files blocked
  (what the maps were before: the outline only), to its `load` event.

Profiles: "1× CPU" (this machine as it is, loopback network), "4× CPU"
(Chromium's CPU throttling, the usual stand-in for a mid-range phone) and
"slow 4G" (4× CPU, 150 ms round trip, 1.6 Mbit/s: Lighthouse's mobile
profile), cold cache; and a repeat visit on slow 4G (assets cached).
Median of --runs. With --write the figures replace the street-layer section
of BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}
PROFILES = {
    "1× CPU": {"cpu": 1, "network": None},
    "4× CPU": {"cpu": 4, "network": None},
    "slow 4G": {"cpu": 4, "network": {"latency": 150, "download": 1.6e6 / 8, "upload": 0.75e6 / 8}},
}
MARK_START, MARK_END = "<!-- geo-streets:start -->", "<!-- geo-streets:end -->"


# --- the data, inside the temporary installation ------------------------------------------


def setup_data() -> None:
    from decimal import Decimal

    import django

    django.setup()
    import numpy as np
    from django.utils import timezone
    from shapely.geometry import Point, shape

    from ciic.accounts.models import User
    from geo.defaults import load_default_areas
    from geo.services import zones_assign_points
    from proposals.calls import call_schedule_open
    from proposals.models import Category, Proposal
    from proposals.services import call_create

    sector, zones = load_default_areas()
    today = timezone.localdate()
    call = call_create(
        actor=None,
        name="Bugetare participativă — bench",
        slug="bench",
        year=today.year,
        total_budget=Decimal("5000000"),
        max_cost_per_proposal=Decimal("500000"),
        **call_schedule_open(today=today),
        categories={c.value: "" for c in Category},
    )
    author = User.objects.create_user(email="bench@example.org", password=secrets.token_hex(8))
    geom = shape(sector.geometry)
    rng = np.random.default_rng(6)
    points: list[tuple[float, float]] = []
    while len(points) < 200:
        lon = rng.uniform(sector.min_lon, sector.max_lon)
        lat = rng.uniform(sector.min_lat, sector.max_lat)
        if geom.contains(Point(lon, lat)):
            points.append((lon, lat))
    zone_ids = zones_assign_points(
        [p[0] for p in points], [p[1] for p in points], [(z.pk, z.geometry) for z in zones]
    )
    categories = list(Category.values)
    now = timezone.now()
    Proposal.objects.bulk_create(
        Proposal(
            call=call,
            number=i + 1,
            reference=f"S6-{call.year}-{i + 1:04d}",
            status=Proposal.Status.SUBMITTED,
            author=author,
            title=f"Propunerea {i + 1}: bănci și umbră",
            summary="Bănci noi și arbori.",
            category=categories[i % len(categories)],
            cost_estimate=Decimal(50000 + 1000 * i),
            latitude=round(lat, 6),
            longitude=round(lon, 6),
            zone_id=zone_id,
            consent_publication=True,
            consent_image_rights=True,
            submitted_at=now,
        )
        for i, ((lon, lat), zone_id) in enumerate(zip(points, zone_ids, strict=True))
    )
    print(Proposal.objects.filter(call=call).first().reference)


# --- the server --------------------------------------------------------------------------


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ciic.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        CNP_HASH_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        MAP_TILES_URL="",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py and script
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start_server(tmp: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    env = _env(tmp)
    _run([str(PY), "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([str(PY), "manage.py", "collectstatic", "--noinput", "-v0"], env)
    reference = _run([str(PY), __file__, "--setup"], env).strip().splitlines()[-1]
    server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [str(GUNICORN), "ciic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/map/", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        sys.exit("gunicorn did not answer")
    return server, reference


# --- measuring ------------------------------------------------------------------------------

DRAWN_JS = """async () => {
    for (let i = 0; i < 1200; i++) {
        const frames = [window, ...Array.from(document.querySelectorAll('iframe')).map(f => f.contentWindow)];
        for (const w of frames) {
            if (w && w.ciicStreetsDrawnAt) {
                const entry = w.performance.getEntriesByType('resource')
                    .find(e => e.name.includes('/geo/osm/streets'));
                const work = w.ciicStreetsWork || {build: 0, labels: 0};
                return {
                    drawn: w.performance.timeOrigin + w.ciicStreetsDrawnAt - performance.timeOrigin,
                    work: work.build + work.labels,
                };
            }
        }
        await new Promise(r => setTimeout(r, 25));
    }
    return null;
}"""

LOADED_JS = """async () => {
    for (let i = 0; i < 1200 && !(performance.timing.loadEventEnd > 0); i++) {
        await new Promise(r => setTimeout(r, 25));
    }
    const frames = [window, ...Array.from(document.querySelectorAll('iframe')).map(f => f.contentWindow)];
    let last = 0;
    for (const w of frames) {
        for (let i = 0; i < 1200 && !(w.performance.timing.loadEventEnd > 0); i++) {
            await new Promise(r => setTimeout(r, 25));
        }
        last = Math.max(last, w.performance.timing.loadEventEnd - performance.timeOrigin);
    }
    return last;
}"""


def measure(browser, url: str, profile: dict, *, block_streets: bool = False, warm: bool = False):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="ro-RO")
    page = context.new_page()
    if block_streets:
        page.route(re.compile(r".*/geo/osm/.*"), lambda route: route.abort())
    cdp = context.new_cdp_session(page)
    if warm:  # first visit fills the cache, unthrottled
        page.goto(url, wait_until="load")
        page.evaluate(DRAWN_JS)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile["cpu"]})
    if profile["network"]:
        cdp.send("Network.enable")
        net = profile["network"]
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": net["latency"],
                "downloadThroughput": net["download"],
                "uploadThroughput": net["upload"],
            },
        )
    responses = []
    page.on("requestfinished", lambda r: responses.append(r))
    page.goto(url, wait_until="commit")
    result = None if block_streets else page.evaluate(DRAWN_JS)
    loaded = page.evaluate(LOADED_JS)
    page.wait_for_load_state("networkidle")
    wire = raw = 0
    for request in responses:
        sizes = request.sizes()
        wire += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        response = request.response()
        if response is not None:
            try:
                raw += len(response.body())
            except Exception:  # noqa: S112  bodies of redirects and aborted requests
                continue
    external = [r.url for r in responses if not r.url.startswith("http://127.0.0.1")]
    context.close()
    assert not external, external
    return {
        "wire": wire,
        "raw": raw,
        "requests": len(responses),
        "drawn": result["drawn"] if result else None,
        "work": result["work"] if result else None,
        "loaded": loaded,
    }


def median(values):  # type: ignore[no-untyped-def]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8149)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        sys.path.insert(0, str(ROOT))
        setup_data()
        return

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciic.settings.test")
    from geo.streets import PLACES_FILE, STATIC_DIR, STREETS_FILE, layer_stats

    layer = [layer_stats(STATIC_DIR / name) for name in (STREETS_FILE, PLACES_FILE)]

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-streets-"))
    server, reference = start_server(tmp, args.port)
    base = f"http://127.0.0.1:{args.port}"
    pages = {
        "map of proposals `/map/`": f"{base}/map/",
        "participation by zone": f"{base}/map/participation/bench/",
        "a proposal's page (small map)": f"{base}/proposals/{reference}/",
    }
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for label, url in pages.items():
                row = {"page": label}
                for name, profile in PROFILES.items():
                    runs = [measure(browser, url, profile) for _ in range(args.runs)]
                    ref = [
                        measure(browser, url, profile, block_streets=True) for _ in range(args.runs)
                    ]
                    row[name] = {
                        "wire": median([r["wire"] for r in runs]),
                        "raw": median([r["raw"] for r in runs]),
                        "requests": median([r["requests"] for r in runs]),
                        "drawn": median([r["drawn"] for r in runs]),
                        "work": median([r["work"] for r in runs]),
                        "ref_loaded": median([r["loaded"] for r in ref]),
                        "ref_wire": median([r["wire"] for r in ref]),
                    }
                warm = [
                    measure(browser, url, PROFILES["slow 4G"], warm=True) for _ in range(args.runs)
                ]
                row["warm"] = {
                    "drawn": median([r["drawn"] for r in warm]),
                    "wire": median([r["wire"] for r in warm]),
                }
                rows.append(row)
                print(label, row)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    text = report(layer, rows, args.runs)
    print(text)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8")
        section = f"{MARK_START}\n{text}\n{MARK_END}"
        if MARK_START in current:
            current = re.sub(rf"{MARK_START}.*?{MARK_END}", lambda _m: section, current, flags=re.S)
        elif "<!-- geo:end -->" in current:
            current = current.replace("<!-- geo:end -->", "<!-- geo:end -->\n\n" + section, 1)
        else:
            current = current.rstrip() + "\n\n" + section + "\n"
        path.write_text(current, encoding="utf-8")


def _kb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1000:,.0f} kB"


def _ms(n: float | None) -> str:
    return "—" if n is None else f"{n:,.0f} ms"


def report(layer, rows, runs) -> str:  # type: ignore[no-untyped-def]
    total_raw = sum(f.raw_bytes for f in layer)
    total_gz = sum(f.gzip_bytes for f in layer)
    lines = [
        "## Geo: the offline street layer",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} ({os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end: the machine was shared), "
        "`.venv/bin/python bench/geo_streets.py --write`: gunicorn + whitenoise (gzip) under the "
        "production settings, Debian's Chromium at 360×780 px (pixel ratio 2), cold cache, "
        f"median of {runs} runs. Drawn = navigation start → streets, landmarks and every label on "
        "screen; script work = the street layer's own JavaScript in it (building the layers, "
        "placing and painting the labels; the canvas rasterisation comes on top). Reference = the same page with the street files blocked (the outline-only maps "
        "of before), to its `load` event.",
        "",
        "| layer file | features | vertices | raw | gzip |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in layer:
        lines.append(
            f"| `geo/static/geo/osm/{f.name}` | {f.features} | {f.vertices:,} | "
            f"{f.raw_bytes:,} B | {f.gzip_bytes:,} B |"
        )
    lines += [
        f"| **both** | | | {total_raw:,} B | **{total_gz:,} B** |",
        "",
        "| page | profile | transferred (uncompressed) | requests | drawn | street-layer script work | reference: outline only, loaded (transferred) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        for name in PROFILES:
            r = row[name]
            lines.append(
                f"| {row['page']} | {name} | **{_kb(r['wire'])}** ({_kb(r['raw'])}) | "
                f"{r['requests']:.0f} | **{_ms(r['drawn'])}** | {_ms(r['work'])} | "
                f"{_ms(r['ref_loaded'])} ({_kb(r['ref_wire'])}) |"
            )
        lines.append(
            f"| {row['page']} | slow 4G, repeat visit | {_kb(row['warm']['wire'])} | | "
            f"**{_ms(row['warm']['drawn'])}** | | |"
        )
    fast = [row["1× CPU"]["drawn"] for row in rows if row["1× CPU"]["drawn"] is not None]
    extra = [
        row["4× CPU"]["drawn"] - row["4× CPU"]["ref_loaded"]
        for row in rows
        if row["4× CPU"]["drawn"] is not None and row["4× CPU"]["ref_loaded"] is not None
    ]
    most_wire = max(r[name]["wire"] for r in rows for name in PROFILES)
    lines += [
        "",
        f"Every page transfers at most {_kb(most_wire)} (target: under 1 MB). Unthrottled, every "
        f"map is drawn in at most {_ms(max(fast) if fast else None)} (target: under 1 s). With "
        "the CPU slowed 4×, the outline-only reference alone takes over a second on this machine; "
        f"the street layer adds {_ms(min(extra) if extra else None)} to "
        f"{_ms(max(extra) if extra else None)} to it.",
        "",
        "Profiles: *1× CPU* = this machine unthrottled; *4× CPU* = Chromium's CPU throttling ×4 "
        "(the usual stand-in for a mid-range phone) on the loopback network; *slow 4G* = "
        "4× CPU with 150 ms round trip and 1.6 Mbit/s down (Lighthouse's mobile profile). "
        "The street layer adds "
        f"{total_gz / 1000:.0f} kB gzipped to a first visit and nothing to a repeat visit "
        "(whitenoise serves the hashed files with a one-year cache lifetime). Drawing needs no "
        "tile server and no other host: the browser test `tests/e2e/test_street_map.py` fails "
        "on any request that leaves the host.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
