"""Public pages for visitors: cached per URL and language, invalidated by the
services that change what they show, never personal, compressed when safe."""

import datetime as dt
import gzip

import pytest

from ciic.accounts.models import Role
from proposals.models import LOCAL_TZ, Proposal
from proposals.services import proposal_transition
from tests.auth import login
from tests.factories import staff_user

from .conftest import make_submitted

pytestmark = pytest.mark.django_db

S = Proposal.Status


@pytest.fixture(autouse=True)
def _page_cache(settings):  # type: ignore[no-untyped-def]
    settings.PUBLIC_PAGE_CACHE = True


@pytest.fixture
def proposal(call, resident, home_page):  # type: ignore[no-untyped-def]
    return make_submitted(author=resident, call=call, title="Bănci noi în parc")


def _get(client, url, **headers):  # type: ignore[no-untyped-def]
    response = client.get(url, headers={"accept-language": "en", **headers})
    assert response.status_code == 200, url
    return response


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_a_status_change_shows_on_the_next_anonymous_request(  # type: ignore[no-untyped-def]
    client, proposal, frozen, django_capture_on_commit_callbacks
):
    frozen.move_to(dt.datetime(2026, 5, 5, 10, tzinfo=LOCAL_TZ))
    detail = proposal.get_absolute_url()
    geojson = "/api/proposals.geojson?status=eligible"
    pages = ["/", "/proposals/", "/proposals/?status=eligible", detail, geojson, "/map/"]
    first = {url: _text(_get(client, url)) for url in pages}
    again = {url: _get(client, url) for url in pages}
    assert all(r["X-Page-Cache"] == "hit" for r in again.values())  # served from the cache
    assert "Under assessment" not in first[detail]
    assert "Bănci noi în parc" not in first["/proposals/?status=eligible"]
    assert "<strong>0</strong> found eligible" in first["/"]

    assessor = staff_user(Role.ASSESSOR)
    with django_capture_on_commit_callbacks(execute=True):  # the versions move on commit
        proposal_transition(actor=assessor, proposal=proposal, to_status=S.UNDER_ASSESSMENT)
        proposal_transition(actor=assessor, proposal=proposal, to_status=S.ELIGIBLE)

    after = {url: _get(client, url) for url in pages}
    assert not any(r.has_header("X-Page-Cache") for r in after.values())  # rendered afresh
    assert "Eligible" in _text(after[detail])
    assert "Bănci noi în parc" in _text(after["/proposals/?status=eligible"])
    assert "<strong>1</strong> found eligible" in _text(after["/"])
    assert proposal.reference in _text(after[geojson])  # the map's data


def test_pages_are_kept_per_language(client, proposal):  # type: ignore[no-untyped-def]
    english = _text(_get(client, "/proposals/"))
    client.post("/i18n/setlang/", {"language": "ro", "next": "/proposals/"})
    romanian = _text(_get(client, "/proposals/"))
    assert english != romanian and 'lang="ro"' in romanian and 'lang="en"' in english


def test_logged_in_users_and_visitors_with_a_session_bypass_the_cache(client, proposal, resident):  # type: ignore[no-untyped-def]
    _get(client, "/proposals/")
    assert _get(client, "/proposals/")["X-Page-Cache"] == "hit"
    login(client, resident)
    mine = _get(client, "/proposals/")
    assert not mine.has_header("X-Page-Cache")
    assert "Log out" in _text(mine)  # their own menu, with its CSRF token
    client.logout()
    anonymous = _get(client, "/proposals/")
    assert "Log out" not in _text(anonymous) and "csrfmiddlewaretoken" not in _text(anonymous)


def test_a_page_that_sets_a_cookie_is_not_stored(client, proposal, home_page):  # type: ignore[no-untyped-def]
    from ciic.public_pages import page_key

    # The login page renders a CSRF token: it is no public page, and a public
    # page that did render one would set the CSRF cookie and not be stored.
    response = client.get("/accounts/login/")
    assert response.cookies and not response.has_header("X-Page-Cache")
    _get(client, "/proposals/")
    assert _get(client, "/proposals/")["X-Page-Cache"] == "hit"
    assert page_key  # the key is exported for warmers and tests


@pytest.mark.parametrize("url", ["/proposals/", "/api/proposals.geojson", "/map/embed/proposals/"])
def test_conditional_requests_get_304(client, proposal, resident, url):  # type: ignore[no-untyped-def]
    first = _get(client, url)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get(url, headers={"accept-language": "en", "if-none-match": etag})
    assert again.status_code == 304 and not again.content
    since = client.get(url, headers={"accept-language": "en", "if-modified-since": modified})
    assert since.status_code == 304
    if url != "/proposals/":  # the same for everyone: cached for residents too
        login(client, resident)
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304


def test_public_answers_are_compressed_and_personal_ones_are_not(client, proposal, resident):  # type: ignore[no-untyped-def]
    rendered = _get(client, "/proposals/", **{"accept-encoding": "gzip"})
    assert rendered["Content-Encoding"] == "gzip"
    assert "Bănci noi" in gzip.decompress(rendered.content).decode()
    hit = _get(client, "/proposals/", **{"accept-encoding": "gzip"})
    assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
    assert gzip.decompress(hit.content) == gzip.decompress(rendered.content)
    plain = _get(client, "/proposals/")  # a client without gzip: the stored copy decompressed
    assert plain["X-Page-Cache"] == "hit" and not plain.has_header("Content-Encoding")
    assert plain.content == gzip.decompress(rendered.content)
    assert plain["ETag"] == hit["ETag"].removeprefix("W/")

    login(client, resident)
    personal = _get(client, "/proposals/", **{"accept-encoding": "gzip"})
    assert not personal.has_header("Content-Encoding")  # carries a CSRF token


def test_the_language_switch_needs_no_csrf_token(client, proposal):  # type: ignore[no-untyped-def]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "en", "next": "/proposals/"})
    assert response.status_code == 302 and response["Location"] == "/proposals/"
    assert response.cookies["django_language"].value == "en"


@pytest.mark.parametrize(
    "url",
    [
        "/api/areas.geojson",
        "/api/proposals.geojson",
        "/api/proposals.points.json",
        "/map/",
        "/map/embed/proposals/",
        "/map/results/bp-2026/",
        "/map/embed/results/bp-2026/",
        "/map/participation/bp-2026/",
        "/map/embed/participation/bp-2026/",
    ],
)
def test_head_answers_like_get_without_a_body(client, proposal, url):  # type: ignore[no-untyped-def]
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == head.status_code == 200
    assert head["Content-Type"] == get["Content-Type"] and head.content == b""


def test_a_wagtail_publish_shows_on_the_next_anonymous_request(  # type: ignore[no-untyped-def]
    client, home_page, django_capture_on_commit_callbacks
):
    assert "Bine ați venit" not in _text(_get(client, "/"))
    assert _get(client, "/")["X-Page-Cache"] == "hit"
    home_page.intro = "Bine ați venit"
    with django_capture_on_commit_callbacks(execute=True):
        home_page.save_revision().publish()
    fresh = _get(client, "/")
    assert not fresh.has_header("X-Page-Cache") and "Bine ați venit" in _text(fresh)


def test_a_cached_map_frame_gets_a_fresh_nonce(client, proposal):  # type: ignore[no-untyped-def]
    import re

    nonces = []
    for _ in range(2):
        response = _get(client, "/map/embed/proposals/")
        header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert header is not None
        tags = re.findall(r"<script\b[^>]*>", _text(response))
        assert tags and all(f'nonce="{header.group(1)}"' in tag for tag in tags)
        nonces.append(header.group(1))
    assert response["X-Page-Cache"] == "hit" and nonces[0] != nonces[1]


@pytest.mark.parametrize("url", ["/workshops/", "/workshops/map/", "/results/"])
def test_workshop_and_result_pages_are_cached_for_visitors(client, home_page, areas, url):  # type: ignore[no-untyped-def]
    first = _get(client, url)
    assert not first.has_header("X-Page-Cache")
    assert _get(client, url)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("url", ["/proposals/", "/map/embed/proposals/"])
def test_a_hit_carries_the_headers_of_the_rendered_page(client, proposal, url):  # type: ignore[no-untyped-def]
    """A hit is answered before the frame, CSP and permissions middleware
    run: the headers they set come with the stored page (the CSP with a
    fresh nonce where the page has one)."""
    import re

    rendered, hit = _get(client, url), _get(client, url)
    assert hit["X-Page-Cache"] == "hit"
    for name in ("X-Frame-Options", "Permissions-Policy", "Content-Type", "Content-Language"):
        assert hit[name] == rendered[name], name

    def policy(response):  # type: ignore[no-untyped-def]
        return re.sub(r"'nonce-[^']+'", "'nonce-N'", response["Content-Security-Policy"])

    assert policy(hit) == policy(rendered) and "__ciic_csp_nonce__" not in _text(hit)
    assert "__ciic_csp_nonce__" not in hit["Content-Security-Policy"]


def test_a_hit_is_one_round_trip_to_the_cache(client, proposal, monkeypatch):  # type: ignore[no-untyped-def]
    """The page and the content versions it must have been rendered from are
    read together; nothing else is asked of the cache on a hit."""
    from django.core.cache import cache

    _get(client, "/proposals/")
    calls: list[str] = []
    depth = [0]  # LocMemCache's get_many calls its own get: count the outer call
    for name in ("get", "get_many", "set", "add", "incr"):
        original = getattr(cache, name)

        def counted(*args, _name=name, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            if not depth[0]:
                calls.append(_name)
            depth[0] += 1
            try:
                return _original(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, counted)
    assert _get(client, "/proposals/")["X-Page-Cache"] == "hit"
    assert calls == ["get_many"]


def test_a_page_of_older_versions_is_rendered_again_and_replaced(  # type: ignore[no-untyped-def]
    client, proposal
):
    from django.core.cache import cache
    from django.utils import translation

    from ciic.cache import content_bump, content_version
    from ciic.public_pages import page_key

    first = _get(client, "/proposals/")
    with translation.override(first.wsgi_request.LANGUAGE_CODE):
        key = page_key(first.wsgi_request)  # the URL and the language, no version
    before = content_version("proposals")
    assert cache.get(key)["versions"]["proposals"] == before
    assert _get(client, "/proposals/")["X-Page-Cache"] == "hit"
    content_bump("proposals", warm=False)
    again = _get(client, "/proposals/")
    assert not again.has_header("X-Page-Cache")  # a miss: rendered from the new version
    assert cache.get(key)["versions"]["proposals"] == before + 1  # stored over the old page
    assert _get(client, "/proposals/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("url", ["/proposals/", "/api/proposals.geojson"])
def test_a_compressible_page_is_stored_only_gzipped(client, proposal, url):  # type: ignore[no-untyped-def]
    """A hit reads the stored entry whole: the gzipped copy alone is kept."""
    from django.core.cache import cache
    from django.utils import translation

    from ciic.public_pages import page_key

    rendered = _get(client, url)
    with translation.override(rendered.wsgi_request.LANGUAGE_CODE):
        entry = cache.get(page_key(rendered.wsgi_request))
    assert entry["body"] is None and gzip.decompress(entry["gzip"]) == rendered.content
    assert _get(client, url).content == rendered.content
