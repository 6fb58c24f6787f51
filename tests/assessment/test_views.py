"""The console and the author's side through HTTP: queue filters, bulk
assignment, the assessment page and its forms, exports (formula-safe), and the
privacy of internal notes and messages on every public page, API and export."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from ciic.accounts.models import Role
from proposals.assessment import services
from proposals.assessment.models import Assessment, Message
from proposals.models import Proposal
from tests.auth import add_totp, login
from tests.factories import staff_user

from .conftest import BEFORE, DURING

S = Proposal.Status
pytestmark = pytest.mark.django_db

SECRET_NOTE = "NOTA-INTERNA-7f3a"
SECRET_MESSAGE = "MESAJ-PRIVAT-91bc"
SECRET_APPEAL = "APEL-PRIVAT-44de"


def _staff(role):  # type: ignore[no-untyped-def]
    return add_totp(staff_user(role))


def test_queue_filters_and_bulk_assign(client, frozen, call, proposal, other_proposal):
    frozen.move_to(BEFORE)
    coordinator, assessor = _staff(Role.ADMINISTRATOR), _staff(Role.ASSESSOR)
    login(client, coordinator)
    r = client.get("/staff/assessment/")
    body = r.content.decode()
    assert r.status_code == 200 and proposal.reference in body and other_proposal.reference in body
    r = client.post(
        "/staff/assessment/assign/",
        {"proposals": [proposal.reference, other_proposal.reference], "assessor": assessor.pk,
         "next": "/staff/assessment/"},
    )  # fmt: skip
    assert r.status_code == 302
    assert Assessment.objects.filter(assessor=assessor).count() == 2
    login(client, assessor)
    body = client.get("/staff/assessment/?mine=on").content.decode()
    assert proposal.reference in body
    body = client.get("/staff/assessment/?status=unassigned").content.decode()
    assert proposal.reference not in body
    body = client.get("/staff/assessment/?category=cultura").content.decode()
    assert proposal.reference not in body
    # A decided proposal is not assigned again (the page says so; nothing changes).
    frozen.move_to(DURING)
    services.assessment_decide(actor=assessor, proposal=proposal, outcome="eligible")
    login(client, coordinator)
    r = client.post(
        "/staff/assessment/assign/",
        {
            "proposals": [proposal.reference],
            "assessor": coordinator.pk,
            "next": "/staff/assessment/",
        },
        follow=True,
    )
    assert r.status_code == 200 and "can no longer be assigned" in r.content.decode()
    assert Assessment.objects.get(proposal=proposal).assessor == assessor
    login(client, assessor)
    # Assessors do not assign.
    client.post(
        "/staff/assessment/assign/", {"proposals": [proposal.reference], "assessor": assessor.pk}
    )
    assert not client.get("/staff/assessment/").content.decode().count('name="proposals"')


def test_queue_query_count_is_bounded(
    client, frozen, call, proposal, other_proposal, django_assert_max_num_queries
):
    frozen.move_to(DURING)
    login(client, _staff(Role.ASSESSOR))
    client.get("/staff/assessment/")
    with django_assert_max_num_queries(20):
        assert client.get("/staff/assessment/").status_code == 200


def test_assessment_page_record_and_decide(client, frozen, call, proposal):
    frozen.move_to(DURING)
    assessor = _staff(Role.ASSESSOR)
    login(client, assessor)
    url = f"/staff/assessment/{proposal.reference}/"
    assert client.get(url).status_code == 200
    r = client.post(url + "record/", {"competence": "yes", "competence_basis": "Legea 215/2001",
                                      "cost_estimate": "275.000", "land_controlled": "yes"})  # fmt: skip
    assert r.status_code == 302
    proposal.refresh_from_db()
    assert proposal.assessed_cost == 275000
    r = client.post(url + "decide/", {"outcome": "ineligible", "reason": "", "explanation": ""})
    assert r.status_code == 400 and "Choose the reason" in r.content.decode()
    r = client.post(url + "decide/", {"outcome": "eligible"})
    assert r.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.ELIGIBLE
    assert client.post(url + "nope/", {}).status_code == 404


def test_author_thread_and_appeal_on_the_proposal_page(client, frozen, call, proposal, resident):
    frozen.move_to(DURING)
    assessor = _staff(Role.ASSESSOR)
    services.message_post(actor=assessor, proposal=proposal, body="Întrebare de la consiliu.")
    login(client, resident)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Întrebare de la consiliu." in page
    r = client.post(f"/proposals/{proposal.reference}/messages/", {"body": "Răspunsul autorului."})
    assert r.status_code == 302
    assert Message.objects.filter(proposal=proposal, from_staff=False).count() == 1
    services.assessment_decide(
        actor=assessor, proposal=proposal, outcome="ineligible", reason="land",
        explanation="Terenul nu este al consiliului.",
    )  # fmt: skip
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert f'action="/proposals/{proposal.reference}/appeal/"' in page
    r = client.post(
        f"/proposals/{proposal.reference}/appeal/", {"argument": "Terenul este al sectorului."}
    )
    assert r.status_code == 302
    assert proposal.appeals.count() == 1
    assert (
        client.post(
            f"/proposals/{proposal.reference}/appeal/", {"argument": "Din nou."}
        ).status_code
        == 403
    )


def _rows_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_exports_follow_filters_and_are_formula_safe(client, frozen, call, resident):
    from .conftest import make_submitted

    evil = make_submitted(author=resident, call=call, title='=HYPERLINK("http://x")')
    plain = make_submitted(author=resident, call=call, title="Bănci noi", category="cultura")
    frozen.move_to(DURING)
    assessor = _staff(Role.ASSESSOR)
    services.assessment_record(
        actor=assessor, proposal=evil,
        data={"competence_basis": "+Legea 1", "competence_notes": SECRET_NOTE},
    )  # fmt: skip
    login(client, assessor)
    r = client.get(f"/staff/assessment/export.csv?call={call.slug}")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = _rows_csv(r.content)
    by_ref = {row[0]: row for row in rows[1:]}
    assert by_ref[evil.reference][1].startswith("'=")
    assert "'+Legea 1" in by_ref[evil.reference]
    assert SECRET_NOTE not in r.content.decode("utf-8-sig")
    rows = _rows_csv(
        client.get(f"/staff/assessment/export.csv?call={call.slug}&category=cultura").content
    )
    assert [row[0] for row in rows[1:]] == [plain.reference]
    r = client.get(f"/staff/assessment/export.xlsx?call={call.slug}")
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert SECRET_NOTE not in str(values)


def test_private_notes_and_messages_never_reach_public_pages_api_or_exports(
    client, frozen, call, proposal, resident
):
    frozen.move_to(DURING)
    assessor, second = _staff(Role.ASSESSOR), _staff(Role.ASSESSOR)
    services.assessment_record(
        actor=assessor, proposal=proposal,
        data={f: SECRET_NOTE for f in ("competence_notes", "land_notes", "legal_notes",
                                       "technical_notes", "cost_notes", "months_notes")},
    )  # fmt: skip
    services.message_post(actor=assessor, proposal=proposal, body=SECRET_MESSAGE)
    services.message_post(actor=resident, proposal=proposal, body=SECRET_MESSAGE)
    services.assessment_decide(
        actor=assessor, proposal=proposal, outcome="ineligible", reason="land",
        explanation="Explicație publică.",
    )  # fmt: skip
    services.appeal_lodge(actor=resident, proposal=proposal, argument=SECRET_APPEAL)
    services.appeal_decide(actor=second, proposal=proposal, upheld=False, explanation="Rămâne.")
    secrets = (SECRET_NOTE, SECRET_MESSAGE, SECRET_APPEAL)
    public_urls = [
        proposal.get_absolute_url(),
        "/proposals/",
        f"/proposals/?call={call.slug}",
        "/api/proposals.geojson",
        f"/api/proposals.geojson?call={call.slug}",
        f"/api/proposals.points.json?call={call.slug}",
        "/map/",
        f"/map/results/{call.slug}/",
        f"/map/participation/{call.slug}/",
    ]
    other = _staff(Role.FACILITATOR)
    for who in (None, other):
        if who is None:
            client.logout()
        else:
            login(client, who)
        for url in public_urls:
            r = client.get(url)
            body = r.content.decode() if r.status_code == 200 else ""
            assert "Explicație publică." in body or url != proposal.get_absolute_url()
            for secret in secrets:
                assert secret not in body, (url, secret)
    # The public timeline shows the public outcome of the appeal.
    assert "Rămâne." in client.get(proposal.get_absolute_url()).content.decode()
    login(client, assessor)
    csv_text = client.get(f"/staff/assessment/export.csv?call={call.slug}").content.decode(
        "utf-8-sig"
    )
    xlsx = client.get(f"/staff/assessment/export.xlsx?call={call.slug}").content
    xlsx_text = str(
        [c.value for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    )
    assert proposal.reference in csv_text and proposal.reference in xlsx_text
    for secret in secrets:
        assert secret not in csv_text and secret not in xlsx_text


def test_author_sees_the_change_request_and_its_last_day(client, frozen, call, proposal, resident):
    frozen.move_to(DURING)
    services.assessment_request_changes(
        actor=_staff(Role.ASSESSOR), proposal=proposal, message="Adăugați o schiță a locului.",
        deadline=dt.date(2026, 5, 12),
    )  # fmt: skip
    login(client, resident)
    page = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Adăugați o schiță a locului." in page
    assert "12 May 2026 (the last day)" in page
    assert f'href="/proposals/edit/{proposal.pk}/what/"' in page
    client.logout()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Adăugați o schiță a locului." not in page and "the last day" not in page
