"""The audit event kinds: one registry (ciic.audit.events), and every kind the
code records or looks for is in it."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from ciic.audit import events
from ciic.audit.models import Event

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "var", "migrations", ".git", "static", "media"}
# A kind written as a string where an event is recorded or matched.
USE = re.compile(
    r"""(?:\baction\s*(?:=|==|!=)\s*|\baction__in\s*=\s*[\[(]\s*|\bevent_kind\(\s*)["']([a-z_]+\.[a-z_]+)["']"""
)


# The audit model's own tests record made-up kinds on purpose.
MADE_UP = {
    Path("tests/ciic/test_audit.py"),
    Path("tests/ciic/test_audit_events.py"),
    Path("tests/accounts/test_personal_data.py"),
}


def _sources() -> list[Path]:
    out = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if not SKIP.intersection(rel.parts) and rel not in MADE_UP:
            out.append(path)
    return out


def test_every_kind_used_in_the_code_is_registered():
    missing = {}
    for path in _sources():
        for code in USE.findall(path.read_text(encoding="utf-8")):
            if code not in events.REGISTRY:
                missing.setdefault(code, []).append(str(path.relative_to(ROOT)))
    assert not missing, (
        f"audit event kinds not in ciic/audit/events.py (add a kind(...) line): {missing}"
    )


def test_services_use_the_constants_not_free_strings():
    """Outside the tests, a kind is named by its constant."""
    free = []
    for path in _sources():
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "tests" or rel == Path("ciic/audit/events.py"):
            continue
        free += [f"{rel}: {c}" for c in USE.findall(path.read_text(encoding="utf-8"))]
    assert not free, free


def test_the_scan_finds_a_free_string():
    assert USE.findall('event_record(actor=a, action="proposal.vanished", obj=p)') == [
        "proposal.vanished"
    ]


def test_required_kinds_and_constants():
    for code in ("eligibility.residence_changed", "geo.areas_imported"):
        assert code in events.REGISTRY
    constants = {
        value for name, value in vars(events).items() if name.isupper() and isinstance(value, str)
    }
    assert constants == set(events.REGISTRY)


@pytest.mark.parametrize("language", ["ro", "en"])
def test_every_kind_reads_as_a_sentence(language):
    for code in events.REGISTRY:
        event = Event(action=code, actor_label="ana@example.org", object_repr="S6-2026-0001")
        with translation.override(language):
            text = events.event_sentence(event)
        assert "%(" not in text and code not in text, (language, code, text)
        assert text.endswith("."), (code, text)
    event = Event(action=events.CALL_UPDATED, actor_label="system", object_repr="BP 2026")
    with translation.override("ro"):
        assert events.event_sentence(event) == "Platforma a modificat apelul BP 2026."
