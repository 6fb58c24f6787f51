"""Pages: bad input gets an error next to its field and changes nothing; the
CNP is never echoed back."""

import io
from datetime import date

import pytest
from django.urls import reverse

from ciic.accounts.models import Role
from ciic.audit.models import Event
from ciic.eligibility.models import IdentityConflict, RegisterEntry, ResidentProfile, Verification
from tests.accounts.conftest import make_account
from tests.auth import login
from tests.factories import ResidentProfileFactory, make_cnp, verified_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client):  # type: ignore[no-untyped-def]
    user = make_account(role=Role.FACILITATOR, totp=True)
    login(client, user)
    return user


def test_dashboard_shows_next_step_for_unverified(client):
    user = make_account()
    login(client, user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Fill in your profile" in html and "CIIC desk" in html


def test_dashboard_shows_verified_status(client):
    user, _, _ = verified_resident()
    login(client, user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Verified resident" in html


def test_profile_form_errors_next_to_fields_and_nothing_saved(client):
    user = make_account()
    login(client, user)
    response = client.post(
        reverse("eligibility:profile"),
        {"full_name": "", "date_of_birth": "2001-02-30", "address": "X"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "date_of_birth"}
    assert response.content.decode().count("field field-error") == 2
    assert not ResidentProfile.objects.exists() and not Event.objects.exists()
    response = client.post(
        reverse("eligibility:profile"),
        {"full_name": "Ana", "date_of_birth": "2001-02-28", "address": "Str. X 1"},
    )
    assert response.status_code == 302
    assert ResidentProfile.objects.get(user=user).date_of_birth == date(2001, 2, 28)


def test_register_check_bad_cnp_not_echoed(client):
    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    login(client, profile.user)
    cnp = make_cnp(date(1990, 5, 17))
    bad = cnp[:12] + str((int(cnp[12]) + 1) % 10)
    response = client.post(reverse("eligibility:register_match"), {"cnp": bad, "confirm": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and "check digit" in html
    assert bad not in html
    # Valid CNP, not on the register: error next to the field, still not echoed.
    response = client.post(reverse("eligibility:register_match"), {"cnp": cnp, "confirm": "on"})
    html = response.content.decode()
    assert "could not find this CNP" in html and cnp not in html
    assert not Verification.objects.exists()


def test_register_check_success(client):
    admin = make_account(role=Role.ADMINISTRATOR, totp=True)
    cnp = make_cnp(date(1990, 5, 17), serial=5)
    login(client, admin)
    f = io.BytesIO(f"cnp\n{cnp}\n".encode())
    f.name = "reg.csv"
    response = client.post(
        reverse("eligibility:staff_register_import"), {"file": f, "confirm_replace": "on"}
    )
    assert response.status_code == 302 and RegisterEntry.objects.count() == 1
    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    login(client, profile.user)
    response = client.post(reverse("eligibility:register_match"), {"cnp": cnp, "confirm": "on"})
    assert response.status_code == 302
    assert Verification.objects.get().method == "register"


def test_staff_verify_in_person(client, desk):
    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    url = reverse("eligibility:staff_verify", kwargs={"pk": profile.user_id})
    data = {
        "cnp": make_cnp(date(1990, 5, 18)),
        "document_type": "identity_card",
        "sector6_address": "yes",
        "identity_checked": "on",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "does not match the date of birth" in html
    assert data["cnp"] not in html
    assert not Verification.objects.exists()
    data["cnp"] = make_cnp(date(1990, 5, 17))
    response = client.post(url, data)
    assert response.status_code == 302
    v = Verification.objects.get()
    assert v.verified_by == desk and v.sector6_resident


def test_staff_verify_missing_fields(client, desk):
    profile = ResidentProfileFactory()
    response = client.post(reverse("eligibility:staff_verify", kwargs={"pk": profile.user_id}), {})
    errors = response.context["verify_form"].errors
    assert {"cnp", "document_type", "sector6_address", "identity_checked"} <= set(errors)
    assert not Verification.objects.exists()


def test_staff_verify_conflict_message(client, desk):
    first, _, cnp = verified_resident(born=date(1990, 5, 17))
    second = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    response = client.post(
        reverse("eligibility:staff_verify", kwargs={"pk": second.user_id}),
        {
            "cnp": cnp,
            "document_type": "identity_card",
            "sector6_address": "yes",
            "identity_checked": "on",
        },
    )
    html = response.content.decode()
    assert "already verified on another account" in html and first.email in html
    assert IdentityConflict.objects.count() == 1
    page = client.get(reverse("eligibility:staff_conflicts")).content.decode()
    assert second.user.email in page and first.email in page


def test_resident_sees_conflict_message(client):
    _, _, cnp = verified_resident(born=date(1990, 5, 17))
    f = io.BytesIO(f"cnp\n{cnp}\n".encode())
    from ciic.eligibility.services import register_import

    register_import(actor=make_account(role=Role.ADMINISTRATOR), file=f)
    second = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    login(client, second.user)
    response = client.post(reverse("eligibility:register_match"), {"cnp": cnp, "confirm": "on"})
    html = response.content.decode()
    assert "contact the CIIC" in html and cnp not in html


def test_revoke_requires_reason(client, desk):
    user, v, _ = verified_resident()
    url = reverse("eligibility:staff_revoke", kwargs={"pk": v.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["revoke_form"].errors["reason"]
    v.refresh_from_db()
    assert v.ended_at is None
    assert client.post(url, {"reason": "Moved to Sector 3"}).status_code == 302
    v.refresh_from_db()
    assert v.is_revoked


def test_register_import_view_reports_lines(client):
    admin = make_account(role=Role.ADMINISTRATOR, totp=True)
    login(client, admin)
    f = io.BytesIO(f"cnp\n{make_cnp(date(1990, 1, 1))}\n12345\n".encode())
    f.name = "reg.csv"
    response = client.post(
        reverse("eligibility:staff_register_import"), {"file": f, "confirm_replace": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "line 3:" in html and "nothing was imported" in html
    assert not RegisterEntry.objects.exists()
    f = io.BytesIO(b"x")
    f.name = "reg.xlsx"
    response = client.post(
        reverse("eligibility:staff_register_import"), {"file": f, "confirm_replace": "on"}
    )
    assert "file" in response.context["form"].errors


def test_resident_search(client, desk, django_assert_max_num_queries):
    for _ in range(5):
        ResidentProfileFactory()
    target = ResidentProfileFactory(full_name="Gheorghe Zamfir")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("eligibility:staff_residents"), {"q": "zamfir"})
    assert target.user.email in response.content.decode()
