"""Search that finds what residents type: the same table of queries on SQLite
and PostgreSQL (run with DATABASE_URL set for the second)."""

import pytest
from django.db import connection
from django.db.models import QuerySet

from proposals.models import Proposal
from proposals.search import query_stems, ro_stem, search_stems, search_words
from proposals.selectors import proposal_list

from .conftest import make_submitted

pytestmark = pytest.mark.django_db

SCHOOL = "Curte nouă pentru școală"
PLAYGROUND = "Loc de joacă în Crângași"
BIKES = "Pistă de biciclete"
LIBRARY = "Bibliotecă"
GARDEN = "Grădină comunitară în Militari"


def _make(resident, call, title, summary="Pentru cartier.", description=""):  # type: ignore[no-untyped-def]
    return make_submitted(
        author=resident, call=call, title=title, summary=summary, description=description
    )


@pytest.fixture
def corpus(call, resident):  # type: ignore[no-untyped-def]
    _make(resident, call, GARDEN)  # S6-2026-0001
    _make(resident, call, BIKES, summary="Pe bulevardul Iuliu Maniu.")
    _make(resident, call, LIBRARY, description="Cărţi pentru copii şi bunici.")
    _make(resident, call, SCHOOL, summary="Lângă Școala Gimnazială 1.")
    _make(resident, call, PLAYGROUND, summary="Tobogane și leagăne.")


# query -> titles found (sorted), on every database.
TABLE = [
    ("biciclete", [BIKES]),
    ("bicicleta", [BIKES]),  # another form of the word
    ("Maniu", [BIKES]),
    ("bunici", [LIBRARY]),
    ("carti", [LIBRARY]),  # written with the cedilla ţ, typed without diacritics
    ("cărți", [LIBRARY]),  # comma ț finds cedilla ţ
    ("şi", [LIBRARY, PLAYGROUND]),  # cedilla ş finds comma ș, and the other way round
    ("scoala", [SCHOOL]),
    ("școală", [SCHOOL]),
    ("școli", [SCHOOL]),
    ("școlii", [SCHOOL]),
    ("ȘCOALA", [SCHOOL]),
    ("Crangasi", [PLAYGROUND]),
    ("crângași", [PLAYGROUND]),
    ("loc de joaca", [PLAYGROUND]),
    ("locul de joacă", [PLAYGROUND]),
    ("joc", [PLAYGROUND]),  # joacă / joc
    ("leagan", [PLAYGROUND]),
    ("gradina", [GARDEN]),
    ("grădinile", [GARDEN]),
    ("S6-2026-0001", [GARDEN]),
    ("s6 2026 0001", [GARDEN]),
    ("loc de joaca militari", []),  # every word must be found
    ("nimic-asemanator", []),
]


def _titles(**kwargs):  # type: ignore[no-untyped-def]
    return sorted(p.title for p in proposal_list(**kwargs))


@pytest.mark.parametrize(("query", "expected"), TABLE)
def test_query_table(corpus, query, expected):  # type: ignore[no-untyped-def]
    assert _titles(q=query) == sorted(expected), connection.vendor


def test_a_query_without_words_does_not_filter(corpus):  # type: ignore[no-untyped-def]
    assert len(_titles(q=" !!! ")) == 5


def test_the_services_keep_the_search_columns_in_step(corpus, resident):  # type: ignore[no-untyped-def]
    from proposals.services import proposal_update

    proposal = Proposal.objects.get(title=BIKES)
    proposal_update(actor=resident, proposal=proposal, data={"title": "Parcare pentru trotinete"})
    assert _titles(q="biciclete") == []
    assert _titles(q="trotineta") == ["Parcare pentru trotinete"]


def test_folding_and_stems() -> None:
    assert search_words("Școală, ŞCOALĂ și Crângași!") == ["scola", "scola", "si", "crangasi"]
    assert ro_stem("scola") == ro_stem("scoli") == ro_stem("scolii") == "scol"
    assert ro_stem("biciclete") == ro_stem("bicicleta") == "biciclet"
    assert ro_stem("s6") == "s6"  # words with digits are kept as written
    assert search_stems("Loc de joacă", "loc") == " loc de joc "
    assert query_stems("") == []


@pytest.mark.postgres
def test_python_stems_are_postgres_stems(db) -> None:  # type: ignore[no-untyped-def]
    """The SQLite column must hold what PostgreSQL's Romanian stemmer makes of
    the same folded words, so both databases answer alike."""
    words = search_words(
        "Școala gimnazială, școlile, grădinițele, parcurile și locurile de joacă ale "
        "cartierului; biblioteca orașului, bibliotecile, amenajarea, amenajări, "
        "iluminatul stradal, iluminare, trotuarele, reabilitarea, accesibilitate, "
        "accesibilităţii, creativitate, educativă, ecologice, administrativ, sportivi, "
        "locuitorilor, copiilor, bătrânilor, pensionari, cicliștilor, naționalism, activiști, "
        "construiesc, plantează, plantam, ajutau, mergând, văzuse, cântasem, lucrară"
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT w, (ts_lexize('ciic_ro_stem', w))[1] FROM unnest(%s::text[]) AS w", [words]
        )
        postgres = dict(cur.fetchall())
    assert {w: ro_stem(w) for w in words} == postgres


@pytest.mark.postgres
def test_postgres_reads_the_index_and_ranks(corpus) -> None:  # type: ignore[no-untyped-def]
    assert _titles(q="copii", sort="relevance") == [LIBRARY]
    qs: QuerySet[Proposal] = proposal_list(q="scoala")
    sql = str(qs.query)
    assert "to_tsvector" not in sql  # the stored vector, not one computed per row
    # What the paginator counts: no ordering, the stored vector matched.
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        # Five rows: the planner would rather read the table; forbid that to
        # see that the index can answer.
        cur.execute("SET enable_seqscan = off")
        try:
            cur.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cur.fetchall())
        finally:
            cur.execute("SET enable_seqscan = on")
    assert "proposals_proposal_search_gin" in plan
