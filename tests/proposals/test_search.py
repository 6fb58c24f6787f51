import pytest

from proposals.selectors import proposal_list

from .conftest import make_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(call, resident):  # type: ignore[no-untyped-def]
    make_submitted(
        author=resident, call=call, title="Grădină comunitară în Militari", category="mediu"
    )
    make_submitted(
        author=resident, call=call, title="Pistă de biciclete", summary="Pe bulevardul Iuliu Maniu."
    )
    make_submitted(
        author=resident, call=call, title="Bibliotecă", description="Cărți pentru copii și bunici."
    )


def _titles(**kwargs):  # type: ignore[no-untyped-def]
    return sorted(p.title for p in proposal_list(**kwargs))


def test_search_title_summary_description_and_reference(corpus):
    assert _titles(q="biciclete") == ["Pistă de biciclete"]
    assert _titles(q="Maniu") == ["Pistă de biciclete"]
    assert _titles(q="bunici") == ["Bibliotecă"]
    assert _titles(q="S6-2026-0001") == ["Grădină comunitară în Militari"]
    assert _titles(q="nimic-asemanator") == []


@pytest.mark.postgres
def test_postgres_full_text_ignores_diacritics_and_ranks(corpus):
    assert _titles(q="gradina") == ["Grădină comunitară în Militari"]
    assert _titles(q="carti copii", sort="relevance") == ["Bibliotecă"]
