"""Folding text for searches that ignore case and diacritics.

"Ștefan", "Ştefan" (cedilla), "stefan" and "STEFAN" fold to the same key on
every database, because the folding happens here, in Python, both when a key
is stored and when a query is read. Pure functions: no Django, no models."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")

# Words a resident types for a kind of place, and the short forms of street
# types used on signs and in registers. Added to a place's search key so that
# "metrou Gorjului", "bd Iuliu Maniu" or "sos Virtutii" find it.
STREET_TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "bulevardul": ("bd", "bdul", "blvd", "bulevard"),
    "strada": ("str",),
    "soseaua": ("sos", "sosea"),
    "calea": ("cal",),
    "splaiul": ("spl", "splai"),
    "aleea": ("al", "alee"),
    "intrarea": ("intr", "intrare"),
    "drumul": ("dr", "drum"),
    "piata": ("pta",),
    "prelungirea": ("prel",),
    "pasajul": ("pasaj",),
    "podul": ("pod",),
}


def fold(text: str) -> str:
    """Lower case, no diacritics (ș ş ț ţ ă â î → s s t t a a i), words
    separated by single spaces: "Calea Crângași" → "calea crangasi"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def search_key(name: str, *extra: str) -> str:
    """The stored key: the folded name, the aliases of its street type and any
    extra words, each word once, with a space before every word, so that a
    query word `w` matches a word prefix with `contains(" " + w)`."""
    words: list[str] = []
    folded = fold(name).split()
    words.extend(folded)
    if folded and folded[0] in STREET_TYPE_ALIASES:
        words.extend(STREET_TYPE_ALIASES[folded[0]])
    for item in extra:
        words.extend(fold(item).split())
    seen: set[str] = set()
    unique = [w for w in words if not (w in seen or seen.add(w))]  # type: ignore[func-returns-value]
    return " " + " ".join(unique) + " "


def query_words(query: str, *, max_words: int = 8) -> list[str]:
    """The folded words of a query, at most `max_words`."""
    return fold(query).split()[:max_words]
