import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ciic.accounts.models import Role
from proposals.models import LOCAL_TZ, Proposal
from proposals.services import proposal_transition, proposal_update
from tests.auth import login
from tests.factories import UserFactory, staff_user

from .conftest import (
    INSIDE,
    OUTSIDE,
    image_bytes,
    make_draft,
    make_submitted,
    staff_with_totp,
    upload,
)

S = Proposal.Status
pytestmark = pytest.mark.django_db


def _bulk(call, author, n, start=0):  # type: ignore[no-untyped-def]
    cats = ["mediu", "educatie", "cultura", "social", "infrastructura", "siguranta", "servicii"]
    return [
        make_submitted(
            author=author, call=call, title=f"Propunere {i}", category=cats[i % len(cats)]
        )
        for i in range(start, start + n)
    ]


def _list_queries(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            "/proposals/", {"category": "mediu", "sort": "cost", "q": "Propunere"}
        )
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(
    client, call, resident, settings, django_assert_max_num_queries
):
    call.max_proposals_per_resident = 60
    call.save()
    _bulk(call, resident, 5)
    _list_queries(client)  # warm-up: on PostgreSQL the first search checks for unaccent once
    small = _list_queries(client)
    _bulk(call, resident, 45, start=5)
    large = _list_queries(client)
    assert small == large
    with django_assert_max_num_queries(8):
        response = client.get("/proposals/", {"page": 2})
    assert response.status_code == 200
    assert len(response.context["proposals"]) == 20


def test_list_filters_search_and_hides_drafts(client, call, resident):
    make_submitted(
        author=resident,
        call=call,
        title="Pistă de biciclete în Militari",
        category="infrastructura",
    )
    make_submitted(author=resident, call=call, title="Bibliotecă de cartier", category="cultura")
    make_draft(author=resident, call=call, title="Ciornă secretă")
    body = client.get("/proposals/").content.decode()
    assert "Pistă de biciclete" in body and "Bibliotecă" in body and "Ciornă secretă" not in body
    body = client.get("/proposals/", {"category": "cultura"}).content.decode()
    assert "Bibliotecă" in body and "Pistă de biciclete" not in body
    body = client.get("/proposals/", {"q": "biciclete"}).content.decode()
    assert "Pistă de biciclete" in body and "Bibliotecă" not in body
    body = client.get(
        "/proposals/", {"zone": "drumul-taberei", "status": "submitted"}
    ).content.decode()
    assert "Pistă de biciclete" in body
    # Bad filter values are ignored, never a 500.
    assert (
        client.get("/proposals/", {"category": "<x>", "sort": "drop", "page": "zz"}).status_code
        == 200
    )


def test_detail_page_and_inert_script(client, call, resident):
    p = make_submitted(
        author=resident,
        call=call,
        title="<script>alert('t')</script>Parc",
        summary="<script>alert('s')</script>Rezumat",
        description="Text **gras**\n\n<script>alert('d')</script>\n\n[x](javascript:alert(1))",
    )
    response = client.get(f"/proposals/{p.reference}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;t&#x27;)" in body
    assert "<strong>gras</strong>" in body
    assert 'href="javascript' not in body
    assert (
        "Submitted" in body or "Depus" in body or "Trimis" in body or p.get_status_display() in body
    )


def test_detail_of_draft_or_unknown_is_404(client, call, resident):
    make_draft(author=resident, call=call)
    assert client.get("/proposals/S6-2026-0001/").status_code == 404
    assert client.get("/proposals/S6-2026-9999/").status_code == 404


def test_timeline_shows_status_changes_with_public_note(client, call, resident):
    assessor = staff_user(Role.ASSESSOR)
    p = make_submitted(author=resident, call=call)
    proposal_transition(actor=assessor, proposal=p, to_status=S.UNDER_ASSESSMENT)
    proposal_transition(
        actor=assessor, proposal=p, to_status=S.INELIGIBLE, note="Terenul aparține PMB."
    )
    body = client.get(p.get_absolute_url()).content.decode()
    assert "Terenul aparține PMB." in body
    assert assessor.email not in body and resident.email not in body


def test_wizard_end_to_end(client, call, resident):
    login(client, resident)
    r = client.get(f"/proposals/new/{call.slug}/")
    assert r.status_code == 200
    r = client.post(
        f"/proposals/new/{call.slug}/",
        {
            "title": "Grădină comunitară",
            "summary": "Straturi pentru vecini.",
            "description": "",
            "category": "mediu",
        },
    )
    draft = Proposal.objects.get()
    assert r.status_code == 302 and r.url == f"/proposals/edit/{draft.pk}/where/"
    r = client.post(f"/proposals/edit/{draft.pk}/where/", {**INSIDE})
    assert r.status_code == 302
    r = client.post(f"/proposals/edit/{draft.pk}/cost/", {"cost_estimate": "120.000"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.cost_estimate == Decimal("120000")
    r = client.post(
        f"/proposals/edit/{draft.pk}/files/",
        {
            "images": [upload("a.jpg", image_bytes())],
            "consent_publication": "on",
            "consent_image_rights": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert draft.images.count() == 1
    r = client.get(f"/proposals/edit/{draft.pk}/review/")
    assert (
        r.status_code == 200 and "Submit" in r.content.decode() or "Trimite" in r.content.decode()
    )
    r = client.post(f"/proposals/edit/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert r.status_code == 302 and r.url == f"/proposals/{draft.reference}/"
    assert client.get(r.url).status_code == 200


@pytest.mark.parametrize(
    "step,data,field_text",
    [
        ("where", {**OUTSIDE}, "Sector 6"),
        ("where", {"latitude": "abc", "longitude": "26.03"}, "valid point"),
        ("cost", {"cost_estimate": "-5"}, "more than 0"),
        ("cost", {"cost_estimate": "0"}, "more than 0"),
        ("cost", {"cost_estimate": "999999999"}, "maximum"),
        ("cost", {"cost_estimate": "o sută"}, "number"),
        ("cost", {"cost_estimate": "0.001"}, "180.000,50"),
        ("cost", {"cost_estimate": "1.2.3"}, "180.000,50"),
        ("cost", {"cost_estimate": "180,000.50"}, "180.000,50"),
        ("what", {"title": "T", "summary": "S", "category": "altele"}, "does not accept"),
    ],
)
def test_bad_input_shows_error_and_saves_nothing(client, call, resident, step, data, field_text):
    from django.utils import translation

    draft = make_draft(author=resident, call=call)
    before = Proposal.objects.filter(pk=draft.pk).values().get()
    login(client, resident)
    with translation.override("en"):
        r = client.post(f"/proposals/edit/{draft.pk}/{step}/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert field_text in r.content.decode()
    assert 'class="errorlist' in r.content.decode()
    after = Proposal.objects.filter(pk=draft.pk).values().get()
    before.pop("updated_at")
    after.pop("updated_at")
    assert before == after


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("180.000", "180000"),
        ("180.000,50", "180000.50"),
        ("1.234", "1234"),
        ("180000", "180000"),
        ("180000.50", "180000.50"),
        ("180000,50", "180000.50"),
        ("180 000 lei", "180000"),
    ],
)
def test_cost_in_romanian_or_plain_form_is_saved(client, call, resident, typed, stored):
    draft = make_draft(author=resident, call=call)
    client.force_login(resident)
    r = client.post(f"/proposals/edit/{draft.pk}/cost/", {"cost_estimate": typed})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.cost_estimate == Decimal(stored)


def test_bad_file_shows_error_and_saves_nothing(client, call, resident):
    draft = make_draft(author=resident, call=call)
    login(client, resident)
    r = client.post(
        f"/proposals/edit/{draft.pk}/files/",
        {
            "images": [
                upload("ok.jpg", image_bytes()),
                upload("virus.jpg", b"MZ\x90\x00" + b"\x00" * 200),
            ],
            "consent_publication": "on",
            "consent_image_rights": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert "virus.jpg" in r.content.decode()
    assert draft.images.count() == 0


def test_forged_id_in_someone_elses_edit_form_is_403(client, call, resident, other_resident):
    victim = make_draft(author=resident, call=call)
    published = make_submitted(author=resident, call=call)
    login(client, other_resident)
    for url in [
        f"/proposals/edit/{victim.pk}/what/",
        f"/proposals/edit/{published.pk}/cost/",
    ]:
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"title": "Furat", "summary": "x", "category": "mediu"}).status_code
            == 403
        )
    assert client.post(f"/proposals/edit/{victim.pk}/submit/").status_code == 403
    assert client.post(f"/proposals/edit/{victim.pk}/delete/").status_code == 403
    assert (
        client.post(f"/proposals/edit/{victim.pk}/files/remove/", {"image": "1"}).status_code == 403
    )
    victim.refresh_from_db()
    assert victim.status == S.DRAFT and victim.title != "Furat"
    assert client.get("/proposals/edit/999999/what/").status_code == 404


def test_anonymous_is_sent_to_login(client, call, resident):
    draft = make_draft(author=resident, call=call)
    r = client.get(f"/proposals/edit/{draft.pk}/what/")
    assert r.status_code == 302 and "/accounts/login/" in r.url
    r = client.get(f"/proposals/new/{call.slug}/")
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_form_opened_before_deadline_sent_after_is_refused(client, call, resident, frozen):
    draft = make_draft(author=resident, call=call)
    frozen.move_to(dt.datetime(2026, 4, 30, 23, 50, tzinfo=LOCAL_TZ))
    login(client, resident)
    assert client.get(f"/proposals/edit/{draft.pk}/review/").status_code == 200
    frozen.move_to(dt.datetime(2026, 5, 1, 0, 0, 1, tzinfo=LOCAL_TZ))
    r = client.post(f"/proposals/edit/{draft.pk}/submit/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert "closed" in r.content.decode()


def test_unverified_user_cannot_start(client, call):
    user = UserFactory()
    login(client, user)
    r = client.get(f"/proposals/new/{call.slug}/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "not been verified" in r.content.decode()
    assert not Proposal.objects.exists()


def test_my_proposals(client, call, resident, other_resident):
    make_draft(author=resident, call=call, title="Ciorna mea")
    make_submitted(author=resident, call=call, title="Depusa mea")
    make_submitted(author=other_resident, call=call, title="A altcuiva")
    login(client, resident)
    body = client.get("/proposals/mine/").content.decode()
    assert "Ciorna mea" in body and "Depusa mea" in body and "A altcuiva" not in body


def test_staff_list_has_no_status_shortcut(client, call, resident):
    """Status changes happen only through the assessment (proposals.assessment)."""
    p = make_submitted(author=resident, call=call)
    login(client, resident)
    assert client.get("/staff/proposals/").status_code == 403
    assert client.post(f"/staff/proposals/{p.reference}/transition/").status_code == 404
    assessor = staff_with_totp(Role.ASSESSOR)
    login(client, assessor)
    body = client.get("/staff/proposals/?status=submitted").content.decode()
    assert p.reference in body and 'name="to_status"' not in body
    assert f"/staff/assessment/{p.reference}/" in body
    assert client.post(f"/staff/proposals/{p.reference}/transition/").status_code == 404
    p.refresh_from_db()
    assert p.status == S.SUBMITTED


def test_staff_version_compare(client, call, resident):
    p = make_submitted(author=resident, call=call)
    proposal_update(
        actor=resident, proposal=p, data={"title": "Titlu schimbat", "cost_estimate": "1000"}
    )
    login(client, resident)
    assert client.get(f"/staff/proposals/{p.reference}/versions/").status_code == 403
    login(client, staff_with_totp(Role.ASSESSOR))
    r = client.get(f"/staff/proposals/{p.reference}/versions/", HTTP_ACCEPT_LANGUAGE="en")
    body = r.content.decode()
    assert r.status_code == 200
    assert "Titlu schimbat" in body and "Loc de joacă" in body and "1000.00" in body


def test_ron_amounts_follow_the_active_language():
    from decimal import Decimal

    from django.utils import translation

    from proposals.templatetags.proposals_tags import ron

    with translation.override("ro"):
        assert ron(Decimal("10000000")) == "10.000.000"
        assert ron(Decimal("1234567.5")) == "1.234.567,50"
        assert ron(None) == ""
    with translation.override("en"):
        assert ron(Decimal("1234567.5")) == "1,234,567.50"
