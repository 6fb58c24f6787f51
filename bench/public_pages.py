"""Public pages under load: gunicorn + PostgreSQL + Redis with 5,000 proposals.

    .venv/bin/python bench/public_pages.py [--write] [--seconds 20] [--port 8100] [--compare gthread:4]

The load comes from `bench/loadgen.py` (one thread, epoll): N simulated
users, each requesting a page, waiting for the answer and requesting the next
one at once (no think time), with the mix of
issue 14 (list 40 %, detail 30 %, home 15 %, map 10 %, GeoJSON 5 %), sending
`Accept-Encoding: gzip` as browsers do. It runs on the same 2-core machine as
the server, so its own CPU use is part of the figures.

Set-up, as production runs: a fresh PostgreSQL database `ciic_fast_pages_bench`
(dropped and created), Redis database 5 (flushed), `migrate`, `collectstatic`,
5,000 public proposals in one call (bulk_create + the search columns), and
gunicorn under `ciic.settings.production` (only SECURE_SSL_REDIRECT off, for
plain HTTP on the loopback). Each scenario restarts gunicorn with an empty
page cache ("cold": the first requests render) and measures for --seconds.

Scenarios, in the same run:
- mixed traffic at 50 users, page cache off (PUBLIC_PAGE_CACHE=false: what
  every request costs when rendered) and on;
- the plain list and a search (a different word and page each request, so
  each is rendered) at 10 users, page cache off: the cost of the search itself.

With --write the figures replace the public-pages section of BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import loadgen
from loadgen import Request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = ROOT / ".venv" / "bin" / "python"
DB_NAME = "ciic_fast_pages_bench"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/5"
COUNT = 5_000
WORDS = ["parc", "biciclete", "școală", "bibliotecă", "iluminat", "trotuar", "grădină", "teren"]
TYPED = ["parc", "biciclete", "scoala", "biblioteca", "iluminat", "trotuare", "gradini", "teren"]


# --- the data, inside the benchmark's installation ------------------------------------------


def setup_data() -> None:
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.utils import timezone

    from ciic.accounts.models import User
    from geo.defaults import load_default_areas
    from proposals.models import Category, Proposal, ReferenceCounter
    from proposals.search import search_index
    from proposals.services import call_create

    _sector, zones = load_default_areas()
    today = timezone.localdate()
    call = call_create(
        actor=None,
        name="Bugetare participativă — bench",
        slug="bench",
        year=today.year,
        total_budget=Decimal("10000000"),
        max_cost_per_proposal=Decimal("500000"),
        submission_start=today - dt.timedelta(days=10),
        submission_end=today + dt.timedelta(days=20),
        assessment_start=today + dt.timedelta(days=21),
        assessment_end=today + dt.timedelta(days=40),
        voting_start=today + dt.timedelta(days=41),
        voting_end=today + dt.timedelta(days=50),
        results_date=today + dt.timedelta(days=51),
        implementation_start=today + dt.timedelta(days=60),
        categories={c.value: "" for c in Category},
    )
    author = User.objects.create_user(email="bench@example.org", password=secrets.token_hex(8))
    rng = random.Random(14)
    now = timezone.now()
    rows = []
    for n in range(1, COUNT + 1):
        zone = zones[n % len(zones)]
        word = WORDS[n % len(WORDS)]
        rows.append(
            Proposal(
                call=call,
                author=author,
                number=n,
                reference=f"S6-{call.year}-{n:04d}",
                status=rng.choice(["submitted", "under_assessment", "eligible", "ineligible"]),
                title=f"Propunere {n}: {word} în {zone.name}",
                summary=f"Rezumatul propunerii {n} despre {word}.",
                description=f"Descriere mai lungă a propunerii {n}, cu {word} și alte detalii. "
                * 5,
                category=list(Category.values)[n % 8],
                cost_estimate=Decimal(rng.randint(10_000, 500_000)),
                latitude=round((zone.min_lat + zone.max_lat) / 2 + rng.uniform(-0.002, 0.002), 6),
                longitude=round((zone.min_lon + zone.max_lon) / 2 + rng.uniform(-0.002, 0.002), 6),
                zone=zone,
                consent_publication=True,
                consent_image_rights=True,
                submitted_at=now - dt.timedelta(minutes=n),
            )
        )
    created = Proposal.objects.bulk_create(rows, batch_size=500)
    search_index(created)
    ReferenceCounter.objects.filter(call=call).update(last_number=COUNT)
    print(f"S6-{call.year}-")


# --- the server ------------------------------------------------------------------------------


# One run, one installation: the set-up and the server sign and hash with the same keys.
_SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60)
_CNP_HASH_KEY = secrets.token_urlsafe(40)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ciic.settings.production",
        SECRET_KEY=_SECRET_KEY,
        CNP_HASH_KEY=_CNP_HASH_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        MAP_TILES_URL="",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py and script
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def install(tmp: Path, setup: list[str] | None = None) -> str:
    """A fresh database and Redis, migrated, static files collected, then the data:
    `setup` is the command line (after the interpreter) that makes it."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = _env(tmp)
    _run([str(PY), "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([str(PY), "manage.py", "collectstatic", "--noinput", "-v0"], env)
    return _run([str(PY), *(setup or [__file__, "--setup"])], env).strip().splitlines()[-1]


def start_server(
    tmp: Path, port: int, worker_args: list[str], **extra: str
) -> subprocess.Popen[bytes]:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # cold: empty page cache
    return loadgen.gunicorn_start(worker_args, port=port, cwd=ROOT, env=_env(tmp, **extra))


def stop_server(server: subprocess.Popen[bytes]) -> None:
    loadgen.gunicorn_stop(server)


# --- the load ----------------------------------------------------------------------------------


def load(port: int, pick, users: int, seconds: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """`users` simulated users requesting `pick(rng)` paths back to back for `seconds`
    (bench/loadgen.py: one thread over non-blocking sockets, far lighter than a thread per user)."""
    stats = loadgen.run(
        "127.0.0.1",
        port,
        users=users,
        seconds=seconds,
        pick=lambda rng, _n: Request("GET", pick(rng), kind="page"),
    )
    return stats["all"]


def mixed(prefix: str):  # type: ignore[no-untyped-def]
    def pick(rng: random.Random) -> str:
        r = rng.random()
        if r < 0.40:
            return "/proposals/" + rng.choice(["", "?page=2", "?category=mediu", "?sort=cost"])
        if r < 0.70:
            return f"/proposals/{prefix}{rng.randint(1, 200):04d}/"
        if r < 0.85:
            return "/"
        if r < 0.95:
            return "/map/"
        return "/api/proposals.geojson"

    return pick


def plain_list(rng: random.Random) -> str:
    return f"/proposals/?page={rng.randint(1, 250)}"


def search(rng: random.Random) -> str:
    return f"/proposals/?q={rng.choice(TYPED)}&page={rng.randint(1, 30)}"


# --- the report --------------------------------------------------------------------------------


def transferred(base: str) -> dict[str, tuple[int, int]]:
    """(gzipped, raw) bytes of the pages a map visitor downloads."""
    out = {}
    for path in ("/map/", "/api/proposals.geojson", "/proposals/", "/"):
        raw = urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            packed = response.read()
        out[path] = (len(packed), len(raw))
    return out


def report(
    rows: list[tuple[str, dict[str, float]]],
    sizes: dict[str, tuple[int, int]],
    seconds: float,
    workers: str,
) -> str:
    lines = [
        "## Public pages under load",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} / Python "
        f"{platform.python_version()} ({os.cpu_count()} cores, shared with the load generator "
        f"and other work), `.venv/bin/python bench/public_pages.py --write`: gunicorn "
        f"({workers}) + PostgreSQL + Redis, {COUNT:,} public proposals, production settings; "
        f"{seconds:.0f} s per scenario after a cold start (fresh workers, empty cache; "
        f'"warm": the next {seconds:.0f} s on the same server). '
        "Users request back to back (no think time), with `Accept-Encoding: gzip`.",
        "",
        "| scenario | users | requests/s | p50 | p95 | errors | mean body |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows:
        lines.append(
            f"| {label} | {int(r['users'])} | {r['rps']:.0f} | {r['p50']:.0f} ms | "
            f"{r['p95']:.0f} ms | {r['errors']} | {r['bytes'] / 1024:.1f} KB |"
        )
    lines += ["", "| answer | transferred (gzip) | uncompressed |", "|---|---:|---:|"]
    for path, (packed, raw) in sizes.items():
        lines.append(f"| `{path}` | {packed / 1024:.1f} KB | {raw / 1024:.1f} KB |")
    return "\n".join(lines)


def _worker_args(spec: str) -> list[str]:
    worker_class, count = spec.split(":")
    worker_args = ["--workers", count, "--worker-class", worker_class]
    if worker_class == "gthread":
        worker_args += ["--threads", "2"]
    return worker_args


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", default="sync:3")
    parser.add_argument(
        "--compare", default="", help="another worker class:count for the cached mixed traffic"
    )
    args = parser.parse_args()
    if args.setup:
        setup_data()
        return
    worker_class, count = args.workers.split(":")
    base = f"http://127.0.0.1:{args.port}"
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-public-") as tmp_name:
        tmp = Path(tmp_name)
        prefix = install(tmp)
        # label, page cache, paths, users, then measured again on the same server (warm)
        scenarios = [
            ("mixed, page cache off", "false", mixed(prefix), 50, ""),
            ("mixed, page cache on", "true", mixed(prefix), 50, "mixed, page cache on, warm"),
            ("list, any page (cache off)", "false", plain_list, 10, ""),
            ("search, any word and page (cache off)", "false", search, 10, ""),
        ]
        if args.compare:
            scenarios.append(
                (
                    f"mixed, page cache on, {args.compare.replace(':', ' × ')}",
                    "true",
                    mixed(prefix),
                    50,
                    f"mixed, page cache on, warm, {args.compare.replace(':', ' × ')}",
                )
            )
        sizes: dict[str, tuple[int, int]] = {}
        for label, cache, pick, users, warm_label in scenarios:
            spec = (
                args.compare
                if label.endswith(args.compare.replace(":", " × ")) and args.compare
                else args.workers
            )
            server = start_server(tmp, args.port, _worker_args(spec), PUBLIC_PAGE_CACHE=cache)
            try:
                for name in (label, warm_label):
                    if not name:
                        continue
                    result = load(args.port, pick, users, args.seconds)
                    result["users"] = users
                    rows.append((name, result))
                    print(name, {k: round(v, 1) for k, v in result.items()}, flush=True)
                if cache == "true" and not sizes:
                    sizes = transferred(base)
            finally:
                stop_server(server)
    section = report(rows, sizes, args.seconds, f"{worker_class} × {count}")
    print(section)
    if args.write:
        loadgen.write_section("public-pages", section)


if __name__ == "__main__":
    main()
