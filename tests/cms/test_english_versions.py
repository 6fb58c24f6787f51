"""In English every page is English: the CMS pages' English versions, the
calls' English names and category texts, with Romanian wherever no English
version was written; the centre's English name is the same everywhere."""

import pytest
import time_machine

from tests.proposals.conftest import NOW, call_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(areas):  # type: ignore[no-untyped-def]
    from proposals.services import call_create, call_english_update

    with time_machine.travel(NOW, tick=False):
        call = call_create(actor=None, **call_kwargs())
        return call_english_update(
            actor=None,
            call=call,
            name="Participatory budgeting 2026",
            categories={"mediu": "Parks and trees", "altele": "Not accepted: ignored"},
        )


def _in(client, language: str) -> None:  # type: ignore[no-untyped-def]
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


def test_the_home_page_in_english_and_in_romanian(client, home_page):
    home_page.title_en = "Participatory budgeting in Sector 6"
    home_page.intro_en = "Propose, follow and vote."
    home_page.body_en = [("heading", "How it works")]
    home_page.body = [("heading", "Cum funcționează")]
    home_page.save_revision().publish()

    _in(client, "en")
    html = client.get("/").content.decode()
    assert "<h1>Participatory budgeting in Sector 6</h1>" in html
    assert "Propose, follow and vote." in html and "How it works" in html
    assert "Cum funcționează" not in html and "Bugetare participativă în Sectorul 6" not in html

    _in(client, "ro")
    html = client.get("/").content.decode()
    assert "<h1>Bugetare participativă în Sectorul 6</h1>" in html
    assert "Cum funcționează" in html and "How it works" not in html


def test_english_falls_back_to_romanian_where_nothing_was_written(client, home_page):
    _in(client, "en")
    html = client.get("/").content.decode()
    assert "<h1>Bugetare participativă în Sectorul 6</h1>" in html


def test_the_call_and_its_categories_in_english(client, home_page, call):
    from cms.models import CallForProposalsPage

    page = CallForProposalsPage(title=call.name, slug="bp", call=call, title_en=call.name_en)
    home_page.add_child(instance=page)
    page.save_revision().publish()

    _in(client, "en")
    html = client.get(page.url).content.decode()
    assert "Participatory budgeting 2026" in html and call.name not in html
    assert "Parks and trees" in html
    assert "Ce intră la Education" in html  # no English text written: the Romanian one
    with time_machine.travel(NOW, tick=False):
        listing = client.get("/proposals/").content.decode()
    assert ">Participatory budgeting 2026</option>" in listing

    _in(client, "ro")
    html = client.get(page.url).content.decode()
    assert call.name in html and "Participatory budgeting 2026" not in html
    assert "Parks and trees" not in html


def test_the_centres_english_name_is_the_same_everywhere(client, home_page):
    _in(client, "en")
    html = client.get("/").content.decode()
    assert html.count("Centre for Innovation and Civic Initiative") >= 2  # header and footer
    assert "Civic Innovation and Initiative Centre" not in html


def test_the_demo_seed_writes_the_english_versions_once(home_page):
    import io

    from cms import demo
    from cms.models import HomePage

    home_page.intro = demo.HOME_INTRO_FAMILIAR
    home_page.save()
    demo.seed(io.StringIO())
    home = HomePage.objects.get()
    assert home.title_en == demo.HOME_ENGLISH["title_en"]
    assert home.intro == demo.HOME_INTRO  # the formal Romanian
    revisions = home.revisions.count()
    demo.seed(io.StringIO())
    assert HomePage.objects.get().revisions.count() == revisions


ROMANIAN_INTERFACE = [
    "Propuneri",
    "Hartă",
    "Autentificare",
    "Creați cont",
    "Contul meu",
    "Deconectare",
    "Parolă",
    "Vă rugăm",
    "dumneavoastră",
    "Centrul de Inovare",
]


def test_english_pages_carry_no_romanian_interface_text(client, home_page, settings):
    from tests.accounts.conftest import make_account
    from tests.auth import login
    from tests.ciic.test_romanian_texts import visible_text

    home_page.title_en = "Participatory budgeting in Sector 6"
    home_page.intro_en = "Propose, follow and vote."
    home_page.save_revision().publish()
    _in(client, "en")
    pages = ["/", "/proposals/", "/map/", "/accounts/login/", "/accounts/signup/"]
    for path in pages:
        text = visible_text(client.get(path).content.decode())
        assert [w for w in ROMANIAN_INTERFACE if w in text] == [], (path, text)
    login(client, make_account(language="en"))
    _in(client, "en")
    for path in ["/me/", "/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]:
        text = visible_text(client.get(path).content.decode())
        assert [w for w in ROMANIAN_INTERFACE if w in text] == [], (path, text)
