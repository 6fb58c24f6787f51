"""Dependency hygiene: every dependency pyproject.toml declares is used by the
platform's code, every third-party module the code imports is declared (or
comes with a declared one), and requirements/base.txt pins each of them."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPS = ["ciic", "proposals", "voting", "workshops", "geo", "cms"]
# Used without an import statement in our code: the file that names it.
WITHOUT_IMPORT = {
    "gunicorn": "README.md",  # the production web server
    "psycopg": "pyproject.toml",  # the driver behind DATABASES' postgresql ENGINE
    "whitenoise": "ciic/settings/base.py",  # middleware and static files storage
    "pyogrio": "geo",  # geopandas' file engine
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_norm(re.split(r"[\[<>=!~ ;]", d, maxsplit=1)[0]) for d in project["dependencies"]}


def _imported_modules() -> set[str]:
    """Third-party modules the apps import, except optional ones (imported
    somewhere under `try: ... except ImportError`: gmpy2, time-machine)."""
    local = set(APPS) | {"tests", "bench", "manage"}
    found: set[str] = set()
    optional: set[str] = set()

    def names(node: ast.AST) -> set[str]:
        if isinstance(node, ast.Import):
            return {a.name.split(".")[0] for a in node.names}
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            return {node.module.split(".")[0]}
        return set()

    files = [p for app in APPS for p in (REPO / app).rglob("*.py") if "migrations" not in p.parts]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found |= names(node)
            if isinstance(node, ast.Try) and any(
                "ImportError" in ast.unparse(h.type or ast.Name("")) for h in node.handlers
            ):
                for inner in node.body:
                    for sub in ast.walk(inner):
                        optional |= names(sub)
    return {m for m in found - optional if m not in sys.stdlib_module_names and m not in local}


def _used_distributions() -> set[str]:
    by_module = metadata.packages_distributions()
    return {_norm(d) for m in _imported_modules() for d in by_module.get(m, [m])}


def _with_requirements(names: set[str]) -> set[str]:
    """`names` and everything they require, transitively."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            todo.append(_norm(re.split(r"[\[<>=!~ ;(]", req, maxsplit=1)[0]))
    return seen


def test_every_declared_dependency_is_used():
    unused = _declared() - _used_distributions()
    for name, where in WITHOUT_IMPORT.items():
        path = REPO / where
        files = list(path.rglob("*.py")) if path.is_dir() else [path]
        if any(name in f.read_text(encoding="utf-8") for f in files):
            unused.discard(name)
    assert unused == set(), f"declared in pyproject.toml but never used: {sorted(unused)}"


# Imported directly but part of a declared package's own API (it requires them).
COMPANIONS = {"asgiref": "django", "branca": "folium", "pyproj": "geopandas", "redis": "rq"}


def test_every_imported_package_is_declared():
    declared = _declared()
    undeclared = _used_distributions() - declared
    for name, parent in COMPANIONS.items():
        if parent in declared and name in _with_requirements({parent}):
            undeclared.discard(name)
    assert undeclared == set(), f"imported but not declared in pyproject.toml: {sorted(undeclared)}"


def test_requirements_pin_every_declared_dependency():
    pins = {
        _norm(line.split("==")[0])
        for line in (REPO / "requirements" / "base.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert _declared() - pins == set()
