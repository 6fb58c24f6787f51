"""Workshop pages through the real log-in: registration, /me/, the calendars
(parsed back with icalendar), the facilitator's console, the dashboard and
its exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from tests.auth import add_totp, login
from tests.factories import UserFactory
from workshops import services
from workshops.models import Registration, Workshop

from .conftest import make_workshop

pytestmark = pytest.mark.django_db


def test_register_and_cancel_through_the_page(client, frozen, workshop):
    person = UserFactory()
    login(client, person)
    page = client.get(workshop.get_absolute_url())
    assert page.status_code == 200
    assert b"Register" in page.content
    r = client.post(reverse("workshops:register", kwargs={"pk": workshop.pk}), follow=True)
    assert b"You are registered" in r.content
    assert Registration.objects.get(user=person).status == "confirmed"
    # twice: refused with a clear message, nothing changed
    r = client.post(reverse("workshops:register", kwargs={"pk": workshop.pk}), follow=True)
    assert b"already registered" in r.content
    assert Registration.objects.filter(user=person).count() == 1
    me = client.get("/me/")
    assert workshop.theme.encode() in me.content
    r = client.post(
        reverse("workshops:cancel_registration", kwargs={"pk": workshop.pk}), follow=True
    )
    assert b"Your registration is cancelled" in r.content
    assert Registration.objects.get(user=person).status == "cancelled"


def test_anonymous_register_leads_to_log_in(client, frozen, workshop):
    r = client.post(reverse("workshops:register", kwargs={"pk": workshop.pk}))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert Registration.objects.count() == 0


def test_romanian_error_for_a_cancelled_workshop(client, frozen, workshop, facilitator):
    services.workshop_cancel(actor=facilitator, workshop=workshop, note="Sala indisponibilă")
    person = UserFactory(preferred_language="ro")
    login(client, person)
    client.cookies["django_language"] = "ro"
    r = client.post(
        reverse("workshops:register", kwargs={"pk": workshop.pk}),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ro",
    )
    assert b"Acest atelier a fost anulat" in r.content
    assert Registration.objects.count() == 0


def test_workshop_ics_parses_back(client, frozen, workshop):
    r = client.get(reverse("workshops:ics", kwargs={"pk": workshop.pk}))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == workshop.starts_at
    assert event.decoded("dtend") == workshop.ends_at
    assert str(event["summary"]) == f"CIIC: {workshop.theme}"
    assert workshop.venue_name in str(event["location"])
    assert str(event["uid"]).startswith(f"workshop-{workshop.pk}@")
    assert str(event["url"]).endswith(workshop.get_absolute_url())


def test_programme_calendar_lists_every_workshop_and_marks_cancelled(
    client, frozen, programme, facilitator
):
    a = make_workshop(programme, facilitator, theme="Unu")
    b = make_workshop(programme, facilitator, theme="Doi", days=9)
    services.workshop_cancel(actor=facilitator, workshop=b, note="Ploaie")
    cal = Calendar.from_ical(client.get(reverse("workshops:calendar")).content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 2
    by_pk = {uid.split("@")[0]: e for uid, e in events.items()}
    assert str(by_pk[f"workshop-{a.pk}"]["status"]) == "CONFIRMED"
    assert str(by_pk[f"workshop-{b.pk}"]["status"]) == "CANCELLED"
    assert str(cal["x-wr-calname"]) == programme.name


def test_index_lists_upcoming_and_past_in_a_bounded_number_of_queries(
    client, frozen, programme, facilitator
):
    for i in range(6):
        make_workshop(programme, facilitator, theme=f"Atelier {i}", days=2 + i)
    client.get(reverse("workshops:index"))  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("workshops:index"))
    assert r.status_code == 200
    assert b"Atelier 5" in r.content
    assert len(ctx.captured_queries) <= 12, [q["sql"] for q in ctx.captured_queries]


def _staff_login(client, user):  # type: ignore[no-untyped-def]
    add_totp(user)
    login(client, user)


def test_console_check_in_walk_ins_minutes_and_bad_input(client, frozen, workshop, facilitator):
    person = UserFactory()
    reg = services.registration_create(actor=person, workshop=workshop)
    _staff_login(client, facilitator)
    console = reverse("workshops:console", kwargs={"pk": workshop.pk})
    assert client.get(console).status_code == 200
    r = client.post(
        reverse("workshops:check_in", kwargs={"pk": workshop.pk}),
        {"registration": reg.pk, "present": "1"},
    )
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.checked_in_at is not None
    r = client.post(reverse("workshops:walk_ins", kwargs={"pk": workshop.pk}), {"walk_ins": "-3"})
    assert r.status_code == 400
    workshop.refresh_from_db()
    assert workshop.walk_ins == 0
    client.post(reverse("workshops:walk_ins", kwargs={"pk": workshop.pk}), {"walk_ins": "7"})
    client.post(
        reverse("workshops:minutes", kwargs={"pk": workshop.pk}),
        {"minutes_public": "Rezumat public", "minutes_internal": "Note interne"},
    )
    workshop.refresh_from_db()
    assert (workshop.walk_ins, workshop.minutes_public) == (7, "Rezumat public")


def test_another_facilitator_is_refused_the_console(client, frozen, workshop, other_facilitator):
    _staff_login(client, other_facilitator)
    r = client.get(reverse("workshops:console", kwargs={"pk": workshop.pk}))
    assert r.status_code == 403
    r = client.post(reverse("workshops:walk_ins", kwargs={"pk": workshop.pk}), {"walk_ins": "7"})
    assert r.status_code == 403
    assert Workshop.objects.get(pk=workshop.pk).walk_ins == 0


def test_plan_a_workshop_ending_before_it_starts_is_refused(client, frozen, programme, facilitator):
    _staff_login(client, facilitator)
    r = client.post(
        reverse("workshops:staff_new"),
        {
            "theme": "Parcări",
            "venue_name": "Sala A",
            "venue_address": "Strada X 1",
            "starts_at": "2026-04-02T18:00",
            "ends_at": "2026-04-02T17:00",
            "capacity": "20",
            "facilitators": [facilitator.pk],
        },
    )
    assert r.status_code == 400
    assert b"must end after it starts" in r.content
    assert Workshop.objects.count() == 0
    r = client.post(
        reverse("workshops:staff_new"),
        {
            "theme": "Parcări",
            "venue_name": "Sala A",
            "venue_address": "Strada X 1",
            "starts_at": "2026-04-02T17:00",
            "ends_at": "2026-04-02T19:00",
            "capacity": "20",
            "facilitators": [facilitator.pk],
            "open_registration": "on",
        },
    )
    assert r.status_code == 302
    w = Workshop.objects.get()
    assert w.status == "open" and list(w.facilitators.all()) == [facilitator]


def test_dashboard_and_formula_safe_exports(client, frozen, programme, facilitator):
    from openpyxl import load_workbook

    w = make_workshop(programme, facilitator, theme="=HYPERLINK(1)")
    frozen.move_to(w.starts_at + dt.timedelta(minutes=5))
    services.walk_ins_set(actor=facilitator, workshop=w, count=3)
    services.workshop_mark_held(actor=facilitator, workshop=w)
    _staff_login(client, facilitator)
    r = client.get(reverse("workshops:dashboard"))
    assert r.status_code == 200
    assert b"1 of 44 workshops held" in r.content
    csv = client.get(reverse("workshops:export", kwargs={"fmt": "csv"}))
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    xlsx = client.get(reverse("workshops:export", kwargs={"fmt": "xlsx"}))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][9] == 3  # attended: walk-ins


def test_verify_at_the_workshop_through_the_page(client, frozen, workshop, facilitator, areas):
    from ciic.eligibility.models import Verification
    from tests.factories import ResidentProfileFactory, make_cnp

    profile = ResidentProfileFactory(date_of_birth=dt.date(1980, 2, 3))
    zone = next(iter(areas["zones"].values()))
    _staff_login(client, facilitator)
    url = reverse("workshops:verify", kwargs={"pk": workshop.pk})
    good = make_cnp(dt.date(1980, 2, 3), serial=555)
    data = {
        "email": profile.user.email,
        "cnp": good[:-1] + str((int(good[-1]) + 1) % 10),  # wrong check digit
        "document_type": "identity_card",
        "sector6_resident": "on",
        "residence_zone": zone.pk,
    }
    assert client.post(url, data).status_code == 400
    assert not Verification.objects.filter(user=profile.user).exists()
    data["cnp"] = good
    assert client.post(url, data).status_code == 302
    assert workshop.verifications.get().verification.user == profile.user


def test_idea_to_proposal_page_refuses_without_consent(client, frozen, workshop, facilitator):
    idea = services.idea_create(
        actor=facilitator, workshop=workshop, title="Bănci", category="mediu"
    )
    _staff_login(client, facilitator)
    url = reverse("workshops:idea_proposal", kwargs={"pk": idea.pk})
    r = client.post(url, {"email": facilitator.email})
    assert r.status_code == 400
    assert b"must agree" in r.content
    idea.refresh_from_db()
    assert idea.proposal_id is None
