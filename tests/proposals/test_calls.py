"""call_schedule and call_update: the call's dates in one place; what may
change in a call, and when."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ciic.accounts.models import Role
from ciic.audit.models import Event
from proposals.calls import call_schedule, call_schedule_open
from proposals.models import LOCAL_TZ, Call, Category
from proposals.services import call_create, call_update
from tests.factories import staff_user

from .conftest import call_kwargs

pytestmark = pytest.mark.django_db

BEFORE = dt.datetime(2026, 2, 20, 12, tzinfo=LOCAL_TZ)  # submission opens on 1 March


def test_schedule_is_ordered_and_accepted_by_the_model():
    dates = call_schedule_open(today=dt.date(2026, 3, 15))
    assert dates["submission_start"] == dt.date(2026, 3, 5)
    assert dates["submission_end"] == dt.date(2026, 4, 4)
    assert list(dates.values()) == sorted(dates.values())
    assert dates == call_schedule(submission_start=dt.date(2026, 3, 5))
    Call(name="x", slug="x", year=2026, total_budget=1, max_cost_per_proposal=1, **dates).clean()


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return staff_user(Role.ADMINISTRATOR)


def _errors(exc: pytest.ExceptionInfo) -> dict:  # type: ignore[type-arg]
    return exc.value.message_dict


def test_only_administrators_change_calls(call, resident):
    for actor in (resident, staff_user(Role.ASSESSOR), staff_user(Role.FACILITATOR)):
        with pytest.raises(PermissionDenied):
            call_update(actor=actor, call=call, data={"name": "Alt nume"})


def test_before_opening_everything_may_change_and_is_audited(frozen, areas, admin):
    frozen.move_to(BEFORE)
    call = call_create(actor=None, **call_kwargs())
    zones = list(areas["zones"].values())
    call = call_update(
        actor=admin,
        call=call,
        data={"total_budget": Decimal("6000000"), "submission_start": dt.date(2026, 3, 2)},
        categories={Category.MEDIU: "Parcuri", Category.EDUCATIE: ""},
        zone_budgets={zones[0]: Decimal("1000000"), zones[1]: Decimal("2000000")},
    )
    call.refresh_from_db()
    assert call.total_budget == Decimal("6000000")
    assert call.submission_start == dt.date(2026, 3, 2)
    assert sorted(call.accepted_categories()) == sorted([Category.MEDIU, Category.EDUCATIE])
    assert call.zone_budgets.count() == 2
    event = Event.objects.for_object(call).get(action="call.updated")
    assert event.actor == admin
    assert event.before["total_budget"] == "5000000.00"
    assert event.after["total_budget"] == "6000000"
    assert set(event.after) == {"total_budget", "submission_start", "categories", "zone_budgets"}


def test_zone_budgets_must_fit_in_the_total(frozen, areas, admin):
    frozen.move_to(BEFORE)
    call = call_create(actor=None, **call_kwargs())
    zones = list(areas["zones"].values())
    with pytest.raises(ValidationError) as exc:
        call_update(
            actor=admin,
            call=call,
            data={},
            zone_budgets={zones[0]: Decimal("4000000"), zones[1]: Decimal("2000000")},
        )
    assert "zone_budgets" in _errors(exc)
    assert not call.zone_budgets.exists()
    assert not Event.objects.for_object(call).filter(action="call.updated").exists()
    # Nor may the total shrink below the zones' sum.
    call_update(actor=admin, call=call, data={}, zone_budgets={zones[0]: Decimal("3000000")})
    with pytest.raises(ValidationError) as exc:
        call_update(actor=admin, call=call, data={"total_budget": Decimal("2000000")})
    assert "zone_budgets" in _errors(exc)


def test_once_open_rules_stay_texts_and_later_dates_may_change(call, frozen, areas, admin):
    # NOW is 15 March: submission is open.
    call = call_update(
        actor=admin,
        call=call,
        data={"name": "BP 2026 (prelungit)", "submission_end": dt.date(2026, 4, 30)},
        categories={c.category: f"{c.description} (clarificat)" for c in call.categories.all()},
    )
    call = call_update(
        actor=admin,
        call=call,
        data={"voting_end": dt.date(2026, 6, 21), "results_date": dt.date(2026, 6, 26)},
    )
    assert call.name == "BP 2026 (prelungit)" and call.voting_end == dt.date(2026, 6, 21)
    refused = {
        "total_budget": Decimal("6000000"),
        "max_cost_per_proposal": Decimal("100000"),
        "max_proposals_per_resident": 2,
        "slug": "alt",
        "submission_start": dt.date(2026, 3, 20),  # passed
        "assessment_end": dt.date(2026, 5, 30),  # earlier
    }
    for field, value in refused.items():
        with pytest.raises(ValidationError) as exc:
            call_update(actor=admin, call=call, data={field: value})
        assert field in _errors(exc), field
    with pytest.raises(ValidationError) as exc:
        call_update(actor=admin, call=call, data={}, categories={Category.MEDIU: ""})
    assert "categories" in _errors(exc)
    zone = next(iter(areas["zones"].values()))
    with pytest.raises(ValidationError) as exc:
        call_update(actor=admin, call=call, data={}, zone_budgets={zone: Decimal("1")})
    assert "zone_budgets" in _errors(exc)
    # The phases stay in order: voting cannot end after the results are out.
    with pytest.raises(ValidationError) as exc:
        call_update(actor=admin, call=call, data={"voting_end": dt.date(2026, 6, 28)})
    assert "results_date" in _errors(exc)
    assert Event.objects.for_object(call).filter(action="call.updated").count() == 2


# --- staff pages and the admin --------------------------------------------------------------


def _post_data(call: Call, **overrides):  # type: ignore[no-untyped-def]
    from proposals.calls.forms import call_initial

    data = {}
    for key, value in call_initial(call).items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, dt.date):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)
    data.update(overrides)
    return data


def test_staff_pages_create_and_edit_calls(client, call, areas):
    from tests.auth import login

    from .conftest import staff_with_totp

    login(client, staff_with_totp(Role.FACILITATOR))
    assert client.get("/staff/calls/").status_code == 403
    login(client, staff_with_totp(Role.ADMINISTRATOR))
    body = client.get("/staff/calls/").content.decode()
    assert call.name in body and f"/staff/calls/{call.pk}/edit/" in body
    assert client.get("/staff/calls/new/").status_code == 200

    # A new call, typed as people type amounts.
    data = _post_data(call, name="BP 2027", slug="bp-2027", year="2027", total_budget="3.000.000")
    for key, value in call_schedule(submission_start=dt.date(2027, 3, 1)).items():
        data[key] = value.isoformat()
    zone = next(iter(areas["zones"].values()))
    data[f"zone_{zone.pk}"] = "1.000.000"
    r = client.post("/staff/calls/new/", data)
    assert r.status_code == 302, r.content.decode()
    new = Call.objects.get(slug="bp-2027")
    assert new.total_budget == Decimal("3000000")
    assert new.zone_budgets.get().amount == Decimal("1000000")
    assert Event.objects.for_object(new).filter(action="call.created").exists()

    # Zone budgets beyond the total: refused, the reason shown with the form.
    data[f"zone_{zone.pk}"] = "4.000.000"
    r = client.post(f"/staff/calls/{new.pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="ro")
    assert r.status_code == 400
    assert "The zone budgets add up to more than the total budget." in r.content.decode()
    assert new.zone_budgets.get().amount == Decimal("1000000")

    # The open call: the budget is fixed, the reason shown.
    r = client.post(
        f"/staff/calls/{call.pk}/edit/",
        _post_data(call, total_budget="6.000.000"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert "once submission has opened" in r.content.decode()
    r = client.post(f"/staff/calls/{call.pk}/edit/", _post_data(call, name="BP 2026 bis"))
    assert r.status_code == 302
    call.refresh_from_db()
    assert call.name == "BP 2026 bis"


def test_the_django_admin_cannot_change_a_call(client, call):
    from tests.auth import add_totp, login

    admin = add_totp(staff_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    login(client, admin)
    url = f"/django-admin/proposals/call/{call.pk}/change/"
    assert client.get(url).status_code == 200  # shown, read-only
    r = client.post(url, {"name": "Schimbat", "slug": call.slug})
    assert r.status_code == 403
    call.refresh_from_db()
    assert call.name != "Schimbat"
    assert client.get("/django-admin/proposals/call/add/").status_code == 403
