"""Map pages in Chromium: what a phone downloads and how fast the map is drawn.

    .venv/bin/python bench/geo_streets.py [--write] [--runs 5] [--port 8150]
        [--baseline REV] [--database NAME] [--redis-url URL] [--proposals 5000]
        [--only TEXT] [--no-cold]

Pages: the three map pages, and two pages without any map (the list of
proposals, the home page): the floor every page stands on (HTML, CSS, the
site's script, layout, first paint), "drawn" two animation frames after their
load event. --only keeps the pages whose label or path contains TEXT;
--no-cold skips the cold runs (quick comparisons while working).

Set-up, as production runs: PostgreSQL (database --database, dropped and
created) with the default areas, a call and --proposals public proposals
spread over the sector, Redis (a private redis-server on --port + 9, or
--redis-url, flushed between runs), `collectstatic` with
whitenoise's compressed manifest storage, and gunicorn (sync × 2) under
`ciic.settings.production` (only SECURE_SSL_REDIRECT off, for plain HTTP on
the loopback). Chromium (Debian's /usr/bin/chromium, driven by Playwright)
opens each page at 360×780 px, device pixel ratio 2:

- transferred: the bytes on the wire for every request of the page and of its
  map iframe (headers + gzipped bodies), and the same bodies uncompressed;
- drawn: from the start of navigation to the moment the street layer, the
  landmarks, every label and (on `/map/`) the proposals are on screen
  (`window.ciicStreetsDrawnAt` / `ciicPointsDrawnAt` in the map's document,
  after two animation frames);
- main thread: the renderer's busy time until then, from a CDP trace (script,
  parsing, style and layout, painting), in the 4× runs, and the CPU time the
  thread spent in those tasks (the trace's thread time: on a shared, busy
  machine the steadier figure to compare before and after).

States: *cold* = gunicorn restarted (fresh workers) and Redis flushed (empty
page and map caches) before each run, empty browser cache; *warm server* = the
server has answered before, empty browser cache (a first visit); *repeat
visit* = the browser's cache holds the static files (hashed names, one-year
lifetime) and the page's last answers.

Profiles: "1× CPU" (this machine as it is, loopback network), "4× CPU"
(Chromium's CPU throttling, the usual stand-in for a mid-range phone) and
"mid-tier phone (calibrated, N×)": 4× is relative to the host, and this
server's shared vCPU is much slower than the desktop Lighthouse's 4× was chosen
for, so the same slowdown here stands for a slower phone. The calibrated
profile picks the slowdown the way Chrome DevTools' CPU throttling calibration
does (DevTools' panels/mobile_throttling/CalibrationController.ts, after
Lighthouse's docs/throttling.md on calibrating the CPU multiplier to the
host's BenchmarkIndex): Lighthouse's BenchmarkIndex (the mean of two rates,
building a 10,000-character string and copying a 100,000-element array, each
for half the run; `BENCHMARK_INDEX_JS`) is measured in a blank page under
CPU throttling, and the rate is bisected until the throttled index is within
10 points of DevTools' mid-tier target, 1000 ("a mid-tier device, like a
Pixel 5"; its low-tier target, 264, is a Moto G4 Power 2022). On a shared
host the index falls whenever another job takes the CPU, so each point of the
bisection is the best of five runs (the index of the CPU when it is not
shared, at 1× and throttled alike) and the calibration runs once at the start
(its index and rate are printed and written with the figures); a host whose index is
below the target at 1× is measured unthrottled and says so. --no-calibrated
skips it. The fixed 4× rows stay, to compare with earlier runs.

With --baseline REV the same measurements run, in the same run and
interleaved, against the code of REV (`git archive`, its own static files,
port and Redis database, the same PostgreSQL database; both servers run side
by side and each run measures one, then the other): the figures before and
after hold under the same load.
Median of --runs. With --write the figures replace the street-layer section
of BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import loadgen

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PG = "postgres://postgres@127.0.0.1:5432"
PHONE = {"width": 360, "height": 780}
PROFILES: dict[str, float] = {"1× CPU": 1, "4× CPU": 4}  # + the calibrated one, in main()
MID_TIER_INDEX = 1000  # DevTools' CalibrationController: midScore, "a mid-tier device (Pixel 5)"

# Lighthouse's BenchmarkIndex (written out here from its description): the mean
# of a garbage-collecting rate (strings of 10,000 characters built one at a
# time) and a copying rate (arrays of 100,000 integers), each over half of
# `duration` ms, both per second / 10.
BENCHMARK_INDEX_JS = """(duration) => {
    const half = duration / 2;
    const strings = () => {
        const t0 = Date.now(); let n = 0;
        while (Date.now() - t0 < half) {
            let s = ''; for (let j = 0; j < 10000; j++) s += 'a';
            if (s.length === 1) throw new Error('never');
            n++;
        }
        return Math.round(n / 10 / ((Date.now() - t0) / 1000));
    };
    const copies = () => {
        const a = [], b = [];
        for (let i = 0; i < 100000; i++) a[i] = b[i] = i;
        const t0 = Date.now(); let n = 0;
        while (n % 10 !== 0 || Date.now() - t0 < half) {
            const from = n % 2 ? b : a, to = n % 2 ? a : b;
            for (let j = 0; j < from.length; j++) to[j] = from[j];
            n++;
        }
        return Math.round(n / 10 / ((Date.now() - t0) / 1000));
    };
    return (strings() + copies()) / 2;
}"""


def calibrate(browser, target: float = MID_TIER_INDEX) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(the host's BenchmarkIndex at 1×, the CPU slowdown at which it is `target`):
    DevTools' bisection, each point the best of five 250 ms runs (another job on a shared
    host only ever lowers the index)."""
    page = browser.new_page()
    cdp = page.context.new_cdp_session(page)

    def index(rate: float) -> float:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
        return max(page.evaluate(BENCHMARK_INDEX_JS, 250) for _ in range(5))

    index(1)  # warm-up: V8 optimises the loops
    host = index(1)
    if host <= target:
        page.context.close()
        return host, 1.0
    lower, upper = 1.0, max(2.0, host / target * 1.5)
    rate = lower
    for _ in range(8):
        rate = round((lower + upper) / 2, 2)  # the back end keeps hundredths
        score = index(rate)
        if abs(score - target) < 10:
            break
        if score < target:
            upper = rate
        else:
            lower = rate
    page.context.close()
    return host, rate


# --- the data, inside the temporary installation ------------------------------------------


def setup_data(count: int) -> None:
    from decimal import Decimal

    import django

    django.setup()
    import numpy as np
    from django.utils import timezone
    from shapely import contains_xy
    from shapely.geometry import shape

    from ciic.accounts.models import User
    from geo.defaults import load_default_areas
    from geo.services import zones_assign_points
    from proposals.calls import call_schedule_open
    from proposals.models import Category, Proposal, ReferenceCounter
    from proposals.search import search_index
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
    lons = rng.uniform(sector.min_lon, sector.max_lon, count * 3)
    lats = rng.uniform(sector.min_lat, sector.max_lat, count * 3)
    inside = contains_xy(geom, lons, lats)
    lons, lats = lons[inside][:count], lats[inside][:count]
    zone_ids = zones_assign_points(list(lons), list(lats), [(z.pk, z.geometry) for z in zones])
    categories = list(Category.values)
    statuses = ["submitted", "under_assessment", "eligible", "ineligible"]
    now = timezone.now()
    created = Proposal.objects.bulk_create(
        [
            Proposal(
                call=call,
                number=i + 1,
                reference=f"S6-{call.year}-{i + 1:04d}",
                status=statuses[i % len(statuses)],
                author=author,
                title=f"Propunerea {i + 1}: bănci și umbră",
                summary="Bănci noi și arbori.",
                category=categories[i % len(categories)],
                cost_estimate=Decimal(50000 + 50 * i),
                latitude=round(float(lat), 6),
                longitude=round(float(lon), 6),
                zone_id=zone_id,
                consent_publication=True,
                consent_image_rights=True,
                submitted_at=now,
            )
            for i, (lon, lat, zone_id) in enumerate(zip(lons, lats, zone_ids, strict=True))
        ],
        batch_size=500,
    )
    search_index(created)
    ReferenceCounter.objects.filter(call=call).update(last_number=count)
    print(created[0].reference)


# --- the installations and their servers ---------------------------------------------------


class Install:
    """One version of the code (this checkout, or REV exported by `git archive`)
    with its own static files, on the shared database."""

    def __init__(
        self, name: str, code: Path, tmp: Path, args: argparse.Namespace, index: int
    ) -> None:
        self.name, self.code, self.args = name, code, args
        # each version its own port and Redis database: both run side by side
        self.port = args.port + index
        base, _sep, db = args.redis_url.rpartition("/")
        self.redis_url = f"{base}/{int(db or 0) + index}"
        self.base = f"http://127.0.0.1:{self.port}"
        self.static = tmp / f"static-{name}"
        self.server: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="ciic.settings.production",
            SECRET_KEY=SECRET_KEY,
            CNP_HASH_KEY=CNP_HASH_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            DATABASE_URL=f"{PG}/{self.args.database}",
            REDIS_URL=self.redis_url,
            STATIC_ROOT=str(self.static),
            MEDIA_ROOT=str(self.static.parent / "media"),
            MAP_TILES_URL="",
            LOG_LEVEL="WARNING",
        )
        return env

    def run(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py and script
            [str(PY), *args], cwd=self.code, env=self.env(), capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        """Fresh workers and an empty cache."""
        import redis

        self.stop()
        redis.Redis.from_url(self.redis_url).flushdb()
        self.server = loadgen.gunicorn_start(
            ["--workers", "2"], port=self.port, cwd=self.code, env=self.env(), name=self.name
        )
        time.sleep(1)  # the second worker boots too
        if self.server.poll() is not None:
            sys.exit(f"gunicorn ({self.name}) exited with {self.server.returncode}")
        redis.Redis.from_url(self.redis_url).flushdb()

    def stop(self) -> None:
        if self.server is not None:
            loadgen.gunicorn_stop(self.server)
            self.server = None


SECRET_KEY = secrets.token_urlsafe(60)
CNP_HASH_KEY = secrets.token_urlsafe(40)


def install(args: argparse.Namespace, tmp: Path) -> tuple[list[Install], str]:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    installs = [Install("new", ROOT, tmp, args, 1 if args.baseline else 0)]
    if args.baseline:
        code = tmp / "baseline"
        code.mkdir()
        archive = subprocess.run(  # noqa: S603 - git with fixed arguments
            ["git", "archive", "--format=tar", args.baseline],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)  # noqa: S603, S607
        installs.insert(0, Install("baseline", code, tmp, args, 0))
    new = installs[-1]
    new.run("manage.py", "migrate", "--noinput", "-v0")
    reference = new.run(__file__, "--setup", "--proposals", str(args.proposals)).split()[-1]
    for inst in installs:
        inst.run("manage.py", "collectstatic", "--noinput", "-v0")
    return installs, reference


# --- measuring ------------------------------------------------------------------------------

# A page without a map is "drawn" two animation frames after its load event
# (as a map is two frames after its layers are on the canvas): the floor every
# map page stands on (HTML, CSS, the site's scripts, layout and first paint).
FLOOR_INIT_JS = """(() => {
    if (window.top !== window) return;
    addEventListener('load', () => requestAnimationFrame(() => requestAnimationFrame(() => {
        if (!document.querySelector('.map-frame, [data-ciic-map], .proposal-map, #location-map'))
            window.ciicFloorDrawnAt = performance.now();
    })));
})()"""

DRAWN_JS = """async (points) => {
    for (let i = 0; i < 1200; i++) {
        if (window.ciicFloorDrawnAt) return {drawn: window.ciicFloorDrawnAt, points: 0};
        const frames = [window, ...Array.from(document.querySelectorAll('iframe')).map(f => f.contentWindow)];
        for (const w of frames) {
            if (w && w.ciicStreetsDrawnAt && (!points || w.ciicPointsDrawnAt)) {
                const at = Math.max(w.ciicStreetsDrawnAt, points ? w.ciicPointsDrawnAt : 0);
                return {drawn: w.performance.timeOrigin + at - performance.timeOrigin,
                        points: w.ciicPointsCount || 0};
            }
        }
        await new Promise(r => setTimeout(r, 20));
    }
    return null;
}"""

TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
]
BUSY = {"RunTask", "ThreadControllerImpl::RunTask"}
KINDS = {
    "script": {
        "EvaluateScript",
        "FunctionCall",
        "TimerFire",
        "FireAnimationFrame",
        "EventDispatch",
        "v8.compile",
        "RunMicrotasks",
        "V8.Execute",
    },
    "parse": {"ParseHTML", "ParseAuthorStyleSheet"},
    "layout": {"Layout", "UpdateLayoutTree", "RecalculateStyles"},
    "paint": {"Paint", "PrePaint", "Layerize", "Commit", "UpdateLayer", "PaintImage"},
}


def main_thread(trace: bytes, until_ms: float) -> dict[str, float]:
    """Busy time of the page renderer's main thread (the page and its
    same-origin frame share it) from navigation start to `until_ms`, by kind
    (top-level events of each kind, not nested in one of the same kind)."""
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    # The page's renderer only (its same-origin frames share it): the thread
    # that started navigating to an http(s) address. Other renderers (the
    # initial about:blank, processes of closed pages winding down) would
    # count time the page never waited for.
    navigations = [
        e
        for e in events
        if e.get("name") == "navigationStart"
        and str(e.get("args", {}).get("data", {}).get("documentLoaderURL", "")).startswith("http")
    ]
    if not navigations:
        return {}
    first = min(navigations, key=lambda e: e["ts"])
    threads = {(first["pid"], first["tid"])}
    t0 = first["ts"]
    end = t0 + until_ms * 1000
    out = dict.fromkeys(["total", "cpu", *KINDS], 0.0)
    for thread in threads:
        xs = sorted(
            (e for e in events if (e.get("pid"), e.get("tid")) == thread and e.get("ph") == "X"),
            key=lambda e: (e["ts"], -e.get("dur", 0)),
        )
        open_until = dict.fromkeys(KINDS, 0.0)
        for e in xs:
            ts, dur = e["ts"], e.get("dur", 0)
            if ts < t0 or ts > end:
                continue
            clipped = min(ts + dur, end) - ts
            if e["name"] in BUSY:
                out["total"] += clipped / 1000
                # the thread's CPU time in the task: what the page cost, less
                # the waits of a shared machine and of the throttling
                out["cpu"] += e.get("tdur", 0) * (clipped / dur if dur else 1) / 1000
                continue
            for kind, names in KINDS.items():
                if e["name"] in names and ts >= open_until[kind]:
                    out[kind] += clipped / 1000
                    open_until[kind] = ts + dur
    return out


def measure(
    browser, url: str, cpu: float, *, points: bool, repeat: bool = False, trace: bool = False
):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="ro-RO")
    page = context.new_page()
    page.add_init_script(FLOOR_INIT_JS)
    if repeat:  # a first visit fills the browser's cache
        page.goto(url, wait_until="load")
        page.evaluate(DRAWN_JS, points)
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    responses = []
    page.on("requestfinished", lambda r: responses.append(r))
    if trace:
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    page.goto(url, wait_until="commit")
    result = page.evaluate(DRAWN_JS, points)
    page.wait_for_load_state("networkidle")
    busy = main_thread(browser.stop_tracing(), result["drawn"]) if trace and result else {}
    wire = raw = 0
    geojson = None
    for request in responses:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        wire += size
        if "/api/proposals." in request.url:  # the map's points (GeoJSON or columns)
            geojson = size
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
        "geojson": geojson,
        "drawn": result["drawn"] if result else None,
        "points": result["points"] if result else None,
        **{f"busy_{k}": v for k, v in busy.items()},
    }


def median(values):  # type: ignore[no-untyped-def]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(runs: list[dict]) -> dict:  # type: ignore[type-arg]
    keys = {k for r in runs for k in r}
    return {k: median([r.get(k) for r in runs]) for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--database", default="ciic_geo_streets_bench")
    parser.add_argument(
        "--redis-url",
        default="",
        help="default: a private redis-server of this benchmark's own, on --port + 9",
    )
    parser.add_argument("--baseline", default="", help="a git revision to measure in the same run")
    parser.add_argument(
        "--only",
        default="",
        help="measure only the pages whose label contains this text (no cold runs unless /map/)",
    )
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs of /map/")
    parser.add_argument(
        "--no-calibrated", action="store_true", help="skip the calibrated mid-tier phone profile"
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.setup:
        setup_data(args.proposals)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciic.settings.test")
    from geo.streets import PLACES_FILE, STATIC_DIR, STREETS_FILE, layer_stats

    layer = [
        layer_stats(p)
        for p in sorted(STATIC_DIR.glob("*.geojson"))
        if p.name in (STREETS_FILE, PLACES_FILE) or p.name.startswith("streets")
    ]

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-streets-"))
    redis_server = None
    if not args.redis_url:  # flushed between runs: nobody else's data
        redis_port = args.port + 9
        redis_server = subprocess.Popen(  # noqa: S603 - Debian's redis-server, fixed arguments
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
        )
        args.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        time.sleep(0.5)
    try:
        installs, reference = install(args, tmp)
    except BaseException:
        if redis_server is not None:
            redis_server.terminate()
        raise
    pages = {
        f"map of proposals `/map/` ({args.proposals:,} proposals)": ("/map/", True),
        "participation by zone": ("/map/participation/bench/", False),
        "a proposal's page (small map)": (f"/proposals/{reference}/", False),
        "no map: the list of proposals (the floor)": ("/proposals/", False),
        "no map: the home page (the floor)": ("/", False),
    }
    if args.only:
        pages = {k: v for k, v in pages.items() if args.only in k or args.only in v[0]}
    first_page = next(iter(pages))
    results: dict[tuple[str, str, str, str], dict] = {}  # type: ignore[type-arg]
    load_before = os.getloadavg()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            if not args.no_calibrated:
                host_index, rate = calibrate(browser)
                args.calibration = (host_index, rate)
                PROFILES[f"mid-tier phone (calibrated, {rate:g}× CPU)"] = rate
                print(f"BenchmarkIndex {host_index:.0f} at 1×: {rate:g}× for {MID_TIER_INDEX}")
            # Cold: a restart (fresh workers, empty caches) before every run of /map/.
            path, points = pages[first_page]
            cold: dict[tuple[str, str], list[dict]] = {}  # type: ignore[type-arg]
            for _ in range(0 if args.no_cold or path != "/map/" else args.runs):
                for inst in installs:
                    for profile, cpu in PROFILES.items():
                        inst.start()
                        run = measure(browser, inst.base + path, cpu, points=points)
                        cold.setdefault((inst.name, profile), []).append(run)
                        print("cold", inst.name, profile, run, flush=True)
            for (name, profile), runs in cold.items():
                results[(name, first_page, profile, "cold")] = summarise(runs)
            # Warm servers: both versions running side by side, measured in turn.
            for inst in installs:
                inst.start()
                for path, points in pages.values():
                    measure(browser, inst.base + path, 1, points=points)  # fills the caches
            for label, (path, points) in pages.items():
                for profile, cpu in PROFILES.items():
                    first: dict[str, list[dict]] = {}  # type: ignore[type-arg]
                    again: dict[str, list[dict]] = {}  # type: ignore[type-arg]
                    for _ in range(args.runs):
                        for inst in installs:
                            url = inst.base + path
                            first.setdefault(inst.name, []).append(
                                measure(browser, url, cpu, points=points, trace=cpu != 1)
                            )
                            again.setdefault(inst.name, []).append(
                                measure(browser, url, cpu, points=points, repeat=True)
                            )
                    for inst in installs:
                        results[(inst.name, label, profile, "warm server")] = summarise(
                            first[inst.name]
                        )
                        results[(inst.name, label, profile, "repeat visit")] = summarise(
                            again[inst.name]
                        )
                        print(inst.name, label, profile, summarise(first[inst.name]), flush=True)
            browser.close()
    finally:
        for inst in installs:
            inst.stop()
        if redis_server is not None:
            redis_server.terminate()
            redis_server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    text = report(layer, pages, results, args, (load_before, load_after))
    print(text)
    if args.write:
        sys.path.append(str(ROOT / "bench"))  # after the project: bench/geo.py is not `geo`
        import loadgen

        loadgen.write_section("geo-streets", text)


def _kb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1000:,.0f} kB"


def _ms(n: float | None) -> str:
    return "—" if n is None else f"{n:,.0f} ms"


def calibration_note(args: argparse.Namespace) -> str:
    if not getattr(args, "calibration", None):
        return ""
    host, rate = args.calibration
    return (
        " *Mid-tier phone (calibrated)* = Chromium's CPU throttling at the rate that brings "
        f"Lighthouse's BenchmarkIndex to {MID_TIER_INDEX} (DevTools' calibration target for "
        "a mid-tier phone, a Pixel 5; its low-tier target is 264): this host scored "
        f"{host:.0f} at 1× when the run began, hence {rate:g}×"
        + (" (the host is slower than the target: unthrottled)" if rate == 1 else "")
        + "; the fixed 4× stands for a slower phone here (its index about "
        f"{host / 4:.0f}), not for the desktop-calibrated mid-range phone it usually means."
    )


def report(layer, pages, results, args, loads) -> str:  # type: ignore[no-untyped-def]
    names = ["baseline", "new"] if args.baseline else ["new"]
    lines = [
        "## Geo: map pages in Chromium (the offline street layer, the map of proposals)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC on {platform.machine()} "
        f"({os.cpu_count()} cores, shared: load average {loads[0][0]:.1f} at the start, "
        f"{loads[1][0]:.1f} at the end), `.venv/bin/python bench/geo_streets.py --write"
        + (f" --baseline {args.baseline}" if args.baseline else "")
        + "`: gunicorn (sync × 2) + PostgreSQL + Redis under the production settings (whitenoise, "
        f"gzip), {args.proposals:,} public proposals spread over the sector, Debian's Chromium at "
        f"360×780 px (pixel ratio 2), median of {args.runs} runs"
        + (
            f"; *before* = the code of `{args.baseline}`, measured in the same run, interleaved, "
            "on the same database"
            if args.baseline
            else ""
        )
        + ". *Drawn* = navigation start → streets, landmarks, every label and (on `/map/`) the "
        "proposals on screen. *Main thread* = the renderer's busy time until then (throttled "
        "runs; "
        "script / style and layout / paint and compositing; CPU = the thread's CPU time in those "
        "tasks, from the trace, steadier than wall time on a shared machine). *Cold* = gunicorn "
        "restarted and "
        "Redis flushed before each run (fresh workers, empty page and map caches), empty browser "
        "cache; *warm server* = a first visit (empty browser cache) to a server that answered "
        "before; *repeat visit* = the browser's cache holds the hashed static files."
        + calibration_note(args),
        "",
        "| layer file | features | vertices | raw | gzip |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in layer:
        lines.append(
            f"| `geo/static/geo/osm/{f.name}` | {f.features} | {f.vertices:,} | "
            f"{f.raw_bytes:,} B | {f.gzip_bytes:,} B |"
        )
    header = "| page | state | profile |"
    rule = "|---|---|---|"
    for n in names:
        tag = "" if len(names) == 1 else (" before" if n == "baseline" else " after")
        header += f" drawn{tag} | transferred{tag} |"
        rule += "---:|---:|"
    header += " main thread" + (" before → after" if len(names) > 1 else "")
    header += " (after: script / layout / paint) | requests |"
    rule += "---|---:|"
    lines += ["", header, rule]
    for label in pages:
        for state in ("cold", "warm server", "repeat visit"):
            for profile in PROFILES:
                row = [results.get((n, label, profile, state)) for n in names]
                if not any(row):
                    continue
                cells = f"| {label} | {state} | {profile} |"
                for r in row:
                    cells += (
                        f" **{_ms(r.get('drawn'))}** | {_kb(r.get('wire'))} |" if r else " — | — |"
                    )
                new = row[-1] or {}
                old = row[0] or {}
                before = (
                    f"{_ms(old.get('busy_total'))} → "
                    if len(row) > 1 and old.get("busy_total")
                    else ""
                )
                cpu_before = (
                    f"{_ms(old.get('busy_cpu'))} → " if len(row) > 1 and old.get("busy_cpu") else ""
                )
                busy = (
                    f"{before}{_ms(new.get('busy_total'))} ({_ms(new.get('busy_script'))} / "
                    f"{_ms(new.get('busy_layout'))} / {_ms(new.get('busy_paint'))}); "
                    f"CPU {cpu_before}{_ms(new.get('busy_cpu'))}"
                    if new.get("busy_total")
                    else ""
                )
                cells += f" {busy} | {new.get('requests', 0):.0f} |"
                lines.append(cells)
    first = next(iter(pages))
    geo = {n: results.get((n, first, "1× CPU", "warm server"), {}).get("geojson") for n in names}
    lines += [
        "",
        "The points `/map/` loads, on the wire (gzip, headers included; the GeoJSON "
        "`/api/proposals.geojson`, or the same in columns, `/api/proposals.points.json`): "
        + ", ".join(
            f"{'before' if n == 'baseline' else 'after'} {_kb(v)}" if len(names) > 1 else _kb(v)
            for n, v in geo.items()
        )
        + f" for {args.proposals:,} proposals.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
