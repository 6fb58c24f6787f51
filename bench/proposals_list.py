"""Proposals list page benchmark: render time and query count at 50 and 5,000
proposals, in the same run (so the comparison does not depend on the machine).

    .venv/bin/python bench/proposals_list.py [--write]

A temporary SQLite database is created and deleted. The proposals are written
with bulk_create (the data set, not the subject of the benchmark); the page is
rendered through Django's test client, as a visitor would get it. With --write
the figures replace the proposals section of BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.NamedTemporaryFile(prefix="bench-proposals-", suffix=".sqlite3", delete=False)
_tmp.close()
os.environ["DJANGO_SETTINGS_MODULE"] = "ciic.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}"

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
import random  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SMALL, LARGE = 50, 5_000
REPEAT = 7
QUERIES = {
    "default (newest, page 1)": {},
    "category + sort by cost": {"category": "mediu", "sort": "cost"},
    "zone + status": {"zone": "drumul-taberei", "status": "submitted"},
    "search 'biciclete'": {"q": "biciclete"},
    "page 40": {"page": "40"},
}
WORDS = ["parc", "biciclete", "școală", "bibliotecă", "iluminat", "trotuar", "grădină", "teren"]


def _populate(call, author, zones, start: int, count: int) -> None:  # type: ignore[no-untyped-def]
    from proposals.models import Category, Proposal, ReferenceCounter

    rng = random.Random(start)
    now = timezone.now()
    rows = []
    for n in range(start + 1, start + count + 1):
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
                latitude=44.42 + (n % 50) * 0.0005,
                longitude=26.02 + (n % 40) * 0.0005,
                zone=zone,
                consent_publication=True,
                submitted_at=now - dt.timedelta(minutes=n),
            )
        )
    Proposal.objects.bulk_create(rows, batch_size=500)
    ReferenceCounter.objects.filter(call=call).update(last_number=start + count)


def _measure(client: Client) -> dict[str, tuple[float, int]]:
    out = {}
    for label, params in QUERIES.items():
        client.get("/proposals/", params)  # warm-up
        times = []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            response = client.get("/proposals/", params)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get("/proposals/", params)
        out[label] = (statistics.median(times), len(ctx.captured_queries))
    return out


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from ciic.accounts.models import User
    from geo.defaults import load_default_areas
    from proposals.calls import call_schedule
    from proposals.models import Category
    from proposals.services import call_create

    _sector, zones = load_default_areas()
    author = User.objects.create_user(email="bench@example.org")
    today = timezone.localdate()
    call = call_create(
        actor=None,
        name="Bench",
        slug="bench",
        year=2026,
        total_budget=Decimal("10000000"),
        max_cost_per_proposal=Decimal("500000"),
        **call_schedule(
            submission_start=today - dt.timedelta(days=10), submission_days=21, assessment_days=10
        ),
        categories={c.value: "" for c in Category},
    )
    client = Client()
    _populate(call, author, zones, 0, SMALL)
    small = _measure(client)
    _populate(call, author, zones, SMALL, LARGE - SMALL)
    large = _measure(client)

    lines = [
        "## Proposals list page",
        "",
        f"`bench/proposals_list.py`, {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite (temporary file), {platform.machine()}; median of {REPEAT} renders of `/proposals/` "
        "through Django's test client (20 cards per page), same run for both sizes.",
        "",
        f"| request | {SMALL} proposals | {LARGE:,} proposals | queries ({SMALL} / {LARGE:,}) |",
        "|---|---|---|---|",
    ]
    for label in QUERIES:
        (ts, qs), (tl, ql) = small[label], large[label]
        lines.append(f"| {label} | {ts * 1000:.0f} ms | **{tl * 1000:.0f} ms** | {qs} / {ql} |")
    lines += [
        "",
        "The query count does not grow with the number of proposals (also capped by "
        "`tests/proposals/test_views.py::test_list_query_count_is_constant`). Search on "
        "SQLite is the `icontains` fallback; PostgreSQL uses full-text search.",
    ]
    text = "\n".join(lines)
    print(text)
    if "--write" in sys.argv:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        block = f"<!-- proposals:start -->\n{text}\n<!-- proposals:end -->"
        if "<!-- proposals:start -->" in current:
            current = re.sub(
                r"<!-- proposals:start -->.*?<!-- proposals:end -->",
                lambda _m: block,
                current,
                flags=re.DOTALL,
            )
        else:
            current = current.rstrip("\n") + "\n\n" + block + "\n"
        path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    try:
        main()
    finally:
        os.unlink(_tmp.name)
