"""The editorial pages of workshops (rich text, materials, photos) are Wagtail
pages in the CMS, the layer above this app. The CMS tells this app how to find
them (`editorial_page_finder_set`, from its `AppConfig.ready()`), so the
stable pages `/workshops/` and `/workshops/<id>/` show them without this app
importing the CMS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Finder = Callable[[Any], Any]
_finder: Finder | None = None


def editorial_page_finder_set(finder: Finder) -> None:
    """`finder(workshop)` returns the live page of a workshop, or of the
    programme's index with `workshop=None`; None when there is none."""
    global _finder
    _finder = finder


def editorial_page(workshop: Any = None) -> Any:
    return _finder(workshop) if _finder is not None else None
