"""Form errors are announced: a refused form, shown again, marks each field in
error aria-invalid="true" and links the field to its error list with
aria-describedby (so a screen reader reads the error with the field), and a
form's errors that belong to no field are in a role="alert" region. Checked
on the main resident and staff forms, posted empty or wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.proposals.conftest import NOW

pytestmark = pytest.mark.django_db

CONTROLS = ["input", "select", "textarea", "fieldset"]


def errors_linked(html: str) -> int:
    """Assert every error in the page is announced; return how many fields
    are in error."""
    soup = BeautifulSoup(html, "html.parser")
    ids = {el["id"] for el in soup.find_all(id=True)}
    described: dict[str, Any] = {}
    for control in soup.find_all(CONTROLS):
        for ref in (control.get("aria-describedby") or "").split():
            assert ref in ids, f"aria-describedby names no element: {control}"
            described.setdefault(ref, control)
    invalid = soup.find_all(attrs={"aria-invalid": "true"})
    for control in invalid:
        refs = (control.get("aria-describedby") or "").split()
        group = control.find_parent("fieldset")
        if not refs and group is not None:  # a radio button: its group is described
            refs = (group.get("aria-describedby") or "").split()
        assert any(r.endswith("_error") for r in refs), (
            f"an invalid field without its error: {control}"
        )
    for errors in soup.select("ul.errorlist"):
        if "nonfield" in errors.get("class", []) or not errors.get("id"):
            assert errors.find_parent(attrs={"role": "alert"}), f"errors not announced: {errors}"
        else:
            control = described.get(errors["id"])
            assert control is not None, f"an error list no field points to: {errors}"
            assert control.name == "fieldset" or control.get("aria-invalid") == "true", control
    return len(invalid)


@pytest.fixture
def world(areas, home_page):  # type: ignore[no-untyped-def]
    import time_machine

    from ciic.accounts.models import Role
    from proposals.services import call_create
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user, verified_resident
    from tests.proposals.conftest import call_kwargs, make_draft
    from tests.workshops.conftest import make_programme, make_workshop
    from workshops.services import idea_create

    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        resident = confirm_email(verified_resident(serial=41)[0])
    with time_machine.travel(NOW, tick=False):
        call = call_create(actor=None, **call_kwargs())
        draft = make_draft(author=resident, call=call)
        admin = confirm_email(add_totp(staff_user(Role.ADMINISTRATOR)))
        facilitator = staff_user(Role.FACILITATOR)
        workshop = make_workshop(make_programme(facilitator), facilitator)
        idea = idea_create(actor=facilitator, workshop=workshop, title="Un parc", category="mediu")
    with time_machine.travel(NOW, tick=True):
        yield {"resident": resident, "admin": admin, "call": call, "draft": draft,
               "workshop": workshop, "idea": idea}  # fmt: skip


def _url(name: str, w: dict[str, Any]) -> str:
    from django.urls import reverse

    kwargs: dict[str, Any] = {
        "proposals:start": {"slug": w["call"].slug},
        "proposals:edit": {"pk": w["draft"].pk, "step": "cost"},
        "voting:desk": {"call": w["call"].slug},
        "voting:manage": {"call": w["call"].slug},
        "workshops:walk_ins": {"pk": w["workshop"].pk},
        "workshops:minutes": {"pk": w["workshop"].pk},
        "workshops:idea_add": {"pk": w["workshop"].pk},
        "workshops:verify": {"pk": w["workshop"].pk},
        "workshops:idea_proposal": {"pk": w["idea"].pk},
        "eligibility:staff_resident_profile": {"pk": w["resident"].pk},
        "eligibility:staff_verify": {"pk": w["resident"].pk},
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


# (who, URL name, method, data): each refused with at least one field in error.
CASES = [
    (None, "account_signup", "post", {"email": "not-an-address", "password1": "x"}),
    ("resident", "eligibility:profile", "post", {}),
    ("resident", "proposals:start", "post", {"title": ""}),
    ("resident", "proposals:edit", "post", {"cost_estimate": "-5"}),
    ("resident", "account_change_password", "post", {"oldpassword": "wrong"}),
    ("admin", "proposals:staff_call_new", "post", {}),
    ("admin", "workshops:staff_new", "post", {}),
    ("admin", "workshops:walk_ins", "post", {"walk_ins": "-1"}),
    ("admin", "workshops:minutes", "post", {"minutes_public": "x" * 20001}),
    ("admin", "workshops:idea_add", "post", {}),
    ("admin", "workshops:verify", "post", {"email": "nobody@example.org"}),
    ("admin", "workshops:idea_proposal", "post", {}),
    ("admin", "voting:desk", "get", {"email": "nobody@example.org"}),
    ("admin", "voting:manage", "post", {"action": "rule", "kind": "none"}),
    ("admin", "eligibility:staff_resident_profile", "post", {}),
    ("admin", "eligibility:staff_verify", "post", {}),
]


@pytest.mark.parametrize(("who", "name", "method", "data"), CASES, ids=[c[1] for c in CASES])
def test_a_refused_form_links_each_error_to_its_field(client, world, who, name, method, data):  # type: ignore[no-untyped-def]
    from tests.auth import login

    if who is not None:
        login(client, world[who])
    response = getattr(client, method)(_url(name, world), data)
    assert response.status_code in (200, 400), (response.status_code, response.get("Location"))
    assert errors_linked(response.content.decode()) >= 1


def test_the_log_in_refusal_is_announced(client, world):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    response = client.post(
        reverse("account_login"), {"login": world["resident"].email, "password": "wrong"}
    )
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select("[role=alert] ul.errorlist.nonfield"), html
    errors_linked(html)


def test_the_check_finds_an_unlinked_error() -> None:
    """The check itself: an error list next to a field that does not point to
    it, or a form error outside an alert, is refused."""
    unlinked = '<input id="id_a" aria-invalid="true"><ul class="errorlist" id="id_a_error"><li>No.</li></ul>'
    with pytest.raises(AssertionError):
        errors_linked(unlinked)
    silent = '<ul class="errorlist nonfield"><li>No.</li></ul>'
    with pytest.raises(AssertionError):
        errors_linked(silent)
    linked = (
        '<input id="id_a" aria-invalid="true" aria-describedby="id_a_error">'
        '<ul class="errorlist" id="id_a_error"><li>No.</li></ul>'
    )
    assert errors_linked(linked) == 1
