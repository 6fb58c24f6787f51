"""Layering: domain apps never import the CMS (it shows them, not the other way
round)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = ["proposals", "voting", "workshops", "geo", "ciic"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_domain_apps_do_not_import_the_cms(app):
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for name in _imports(path)
        if name == "cms" or name.startswith("cms.")
    ]
    # The site's URL configuration mounts the CMS: it is the project, not a domain app.
    offenders = [o for o in offenders if not o.startswith("ciic/urls.py")]
    assert offenders == []
