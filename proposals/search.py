"""Search over proposals that finds what residents type, the same on SQLite
and PostgreSQL.

Both databases search the same *folded words*: lower case, no diacritics
(ș ş ț ţ ă â î → s s t t a a i, via `geo.text.fold`), and the Romanian
alternation "oa"/"o" written as "o" (școală/școli, poartă/porți), so that
"scoala", "școli" and "școlii" meet. Folding happens here, in Python, for the
stored text and for the query alike.

- PostgreSQL stems those words with its own Snowball Romanian stemmer: the text
  search configuration `ciic_ro` (created by a migration: the `romanian`
  Snowball dictionary *without* a stop-word list, so that no word is dropped
  on one database and kept on the other). `Proposal.search_vector` is a stored
  `tsvector` (title and reference weighted A, summary B, description C),
  written by `proposal_search_index` whenever a service changes those fields,
  and GIN-indexed, so a search, and the paginator's `COUNT(*)`, read the index
  instead of computing vectors over every row.
- SQLite (and any other database) stores the stems in `Proposal.search_stems`
  (" stem stem … ", each once) computed by `ro_stem`, a Python port of the
  same Snowball algorithm restricted to the letters that survive folding
  (a–z): on folded text it gives PostgreSQL's stems (a test compares the two
  with `ts_lexize` on a vocabulary).

A proposal matches when every word of the query, stemmed, is among its
stems; words with digits (references such as "S6-2026-0042") are kept as typed.
"""

from __future__ import annotations

from typing import Any

from geo.text import fold

TS_CONFIG = "ciic_ro"
MAX_QUERY_WORDS = 8
MAX_QUERY_CHARS = 200

_VOWELS = frozenset("aeiou")  # after folding; "I"/"U" (prelude) count as consonants

# Snowball Romanian, the suffixes that contain only a–z (the others carry ă, â,
# î, ș or ț and cannot occur in folded text).
_STEP0: dict[str, str] = {
    "ul": "",
    "ului": "",
    "aua": "a",
    "ea": "e",
    "ele": "e",
    "elor": "e",
    "ii": "i",
    "iua": "i",
    "iei": "i",
    "iile": "i",
    "iilor": "i",
    "ilor": "i",
    "ile": "i",  # not after "ab"
    "atei": "at",
}
_STEP1: dict[str, str] = {
    **dict.fromkeys(("abilitate", "abilitati"), "abil"),
    "ibilitate": "ibil",
    **dict.fromkeys(("ivitate", "ivitati"), "iv"),
    **dict.fromkeys(
        (
            "icitate",
            "icitati",
            "icator",
            "icatori",
            "iciv",
            "iciva",
            "icive",
            "icivi",
            "ical",
            "icala",
            "icale",
            "icali",
        ),
        "ic",
    ),
    **dict.fromkeys(("ativ", "ativa", "ative", "ativi", "atoare", "ator", "atori"), "at"),
    **dict.fromkeys(("itiv", "itiva", "itive", "itivi", "itoare", "itor", "itori"), "it"),
}
_STEP2_DELETE = frozenset(
    (
        "abila abile abili ibila ibile ibili atori itate itati abil ibil oasa oase os osi "
        "ant anta ante anti ator iv iva ive ivi ic ica ice ici at ata ate ati ut uta ute "
        "uti it ita ite iti"
    ).split()
)
_STEP2_IUNE = frozenset(("iune", "iuni"))
_STEP2_IST = frozenset("ism isme ist ista iste isti".split())
_STEP3_AFTER_CONSONANT = frozenset(
    (
        "are ere ire ind indu eze ez ezi esc am ai au eam eai ea eau iam iai ia iau ui "
        "asem ase isem ise usem use"
    ).split()
)
_STEP3_DELETE = frozenset("em im sei se sesem sese".split())
_STEP4 = frozenset(("a", "e", "i", "ie"))


def _is_vowel(ch: str) -> bool:
    return ch in _VOWELS


def _regions(word: str) -> tuple[int, int, int]:
    """RV, R1 and R2 start positions (Snowball's standard definitions)."""
    n = len(word)
    rv = n
    if n >= 2:
        if not _is_vowel(word[1]):
            rv = next((i + 1 for i in range(2, n) if _is_vowel(word[i])), n)
        elif _is_vowel(word[0]):
            rv = next((i + 1 for i in range(2, n) if not _is_vowel(word[i])), n)
        else:
            rv = 3 if n >= 3 else n

    def after_vowel_consonant(start: int) -> int:
        for i in range(start + 1, n):
            if not _is_vowel(word[i]) and _is_vowel(word[i - 1]):
                return i + 1
        return n

    r1 = after_vowel_consonant(0)
    r2 = after_vowel_consonant(r1)
    return rv, r1, r2


def _longest(word: str, suffixes: Any, start: int, *, limit: bool = False) -> str | None:
    """Snowball's `[substring] R among(...)`: the longest suffix of `word`
    among `suffixes` (a set or mapping), if it starts at or after `start`
    (a longer match outside the region hides the shorter ones). With
    `limit`, the search itself is limited to the region (`setlimit`)."""
    longest = min(len(word) - start, 9) if limit else min(len(word), 9)
    for length in range(longest, 0, -1):
        tail = word[-length:]
        if tail in suffixes:
            return tail if len(word) - length >= start else None
    return None


def ro_stem(word: str) -> str:
    """The Snowball Romanian stem of a folded word (a–z only): what
    PostgreSQL's `romanian` stemmer gives for the same word."""
    if not word.isalpha() or not word.isascii():
        return word
    # Prelude: "i" and "u" between vowels act as consonants.
    chars = list(word)
    for i in range(1, len(chars) - 1):
        if chars[i] in "iu" and _is_vowel(chars[i - 1]) and _is_vowel(chars[i + 1]):
            chars[i] = chars[i].upper()
    w = "".join(chars)
    rv, r1, r2 = _regions(w)

    # Step 0: plurals and other simplifications, in R1.
    suffix = _longest(w, _STEP0, r1)
    if suffix is not None and not (suffix == "ile" and w[: -len(suffix)].endswith("ab")):
        w = w[: -len(suffix)] + _STEP0[suffix]

    # Step 1: combining suffixes, in R1, repeated.
    removed = False
    while True:
        suffix = _longest(w, _STEP1, r1)
        if suffix is None:
            break
        w = w[: -len(suffix)] + _STEP1[suffix]
        removed = True

    # Step 2: standard suffixes, in R2.
    suffix = _longest(w, _STEP2_DELETE | _STEP2_IUNE | _STEP2_IST, r2)
    if suffix is not None:
        if suffix in _STEP2_DELETE:
            w = w[: -len(suffix)]
            removed = True
        elif suffix in _STEP2_IST:
            w = w[: -len(suffix)] + "ist"
            removed = True
        # "iune"/"iuni" are removed only after "ț", which folding turned into "t".

    # Step 3: verb suffixes, in RV, when no standard suffix went.
    if not removed:
        suffix = _longest(w, _STEP3_AFTER_CONSONANT | _STEP3_DELETE, rv, limit=True)
        if suffix is not None:
            before = w[: -len(suffix)]
            if suffix in _STEP3_DELETE:
                w = before
            # The consonant (or "u") before must lie in RV too: the search is
            # limited to RV (Snowball's `setlimit tomark pV`).
            elif len(before) > rv and (not _is_vowel(before[-1]) or before[-1] == "u"):
                w = before

    # Step 4: a residual vowel, in RV.
    suffix = _longest(w, _STEP4, rv)
    if suffix is not None:
        w = w[: -len(suffix)]
    return w.lower()


def search_words(text: str) -> list[str]:
    """The folded words of `text`, "oa" written "o" (școală → scola)."""
    return [w.replace("oa", "o") for w in fold(text or "").split()]


def search_text(text: str) -> str:
    """`text` as the words both databases index (PostgreSQL stems them)."""
    return " ".join(search_words(text))


def search_stems(*texts: str) -> str:
    """The stored stems of a proposal on SQLite: each once, space before and
    after every stem, so `contains(" stem ")` finds a whole stem."""
    stems = dict.fromkeys(ro_stem(w) for text in texts for w in search_words(text))
    return " " + " ".join(stems) + " " if stems else ""


def query_stems(query: str) -> list[str]:
    """The stems a query must all find (at most MAX_QUERY_WORDS)."""
    words = search_words(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
    return list(dict.fromkeys(ro_stem(w) for w in words))


# --- storage ------------------------------------------------------------------------

# The PostgreSQL side, created by the migration `0007_proposal_search_index`:
# Snowball's Romanian stemmer without a stop-word list, for every kind of word
# token the default parser finds in folded text (numbers stay as written).
PG_SETUP_SQL = f"""
CREATE TEXT SEARCH DICTIONARY {TS_CONFIG}_stem (TEMPLATE = snowball, Language = romanian);
CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG}
    ALTER MAPPING FOR asciiword, word, asciihword, hword, hword_asciipart, hword_part
    WITH {TS_CONFIG}_stem;
CREATE INDEX IF NOT EXISTS proposals_proposal_search_gin
    ON proposals_proposal USING gin (search_vector);
"""
PG_TEARDOWN_SQL = f"""
DROP INDEX IF EXISTS proposals_proposal_search_gin;
DROP TEXT SEARCH CONFIGURATION IF EXISTS {TS_CONFIG};
DROP TEXT SEARCH DICTIONARY IF EXISTS {TS_CONFIG}_stem;
"""

_PG_UPDATE_SQL = """
UPDATE proposals_proposal SET search_stems = %s, search_vector =
    setweight(to_tsvector('ciic_ro', %s), 'A')
    || setweight(to_tsvector('ciic_ro', %s), 'B')
    || setweight(to_tsvector('ciic_ro', %s), 'C')
WHERE id = %s
"""  # TS_CONFIG


def search_columns(row: Any) -> tuple[str, str, str, str]:
    """(stems, A text, B text, C text) of a proposal-like row (anything with
    reference, title, summary and description)."""
    a = f"{row.reference} {row.title}"
    return (
        search_stems(a, row.summary, row.description),
        search_text(a),
        search_text(row.summary),
        search_text(row.description or ""),
    )


def search_index(rows: Any, *, using: str = "default") -> None:
    """Write the search columns of `rows` (proposals, or historical models in a
    migration) in the database: call after saving a new title, summary,
    description or reference."""
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cur:
        for row in rows:
            stems, a, b, c = search_columns(row)
            if connection.vendor == "postgresql":
                cur.execute(_PG_UPDATE_SQL, [stems, a, b, c, row.pk])
            else:
                cur.execute(
                    "UPDATE proposals_proposal SET search_stems = %s WHERE id = %s",
                    [stems, row.pk],
                )
            row.search_stems = stems


def search_filter(qs: Any, query: str) -> Any:
    """`qs` narrowed to the proposals that contain every word of `query` (in
    any form); on PostgreSQL annotated with `search_rank` for ordering. An
    empty query (or one with no word) leaves `qs` as it is."""
    from django.db import connections

    stems = query_stems(query)
    if not stems:
        return qs
    if connections[qs.db].vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from django.db.models import F

        # The query's words go through the same folding; PostgreSQL stems them.
        words = search_words(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
        tsquery = SearchQuery(" ".join(words), config=TS_CONFIG, search_type="plain")
        return qs.filter(search_vector=tsquery).annotate(
            search_rank=SearchRank(F("search_vector"), tsquery)
        )
    for stem in stems:
        qs = qs.filter(search_stems__contains=f" {stem} ")
    return qs
