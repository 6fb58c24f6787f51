"""Content written by staff in Romanian with an optional English version
(translated fields such as `Call.name_en`, the CMS pages' `title_en`): English
pages show the English text where there is one, Romanian otherwise."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.utils import translation

T = TypeVar("T")


def english_active() -> bool:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0] == "en"


def in_language(romanian: T, english: T | None) -> T:
    """`english` on an English page when it is not empty, else `romanian`."""
    if english and english_active():
        return english
    return romanian
