"""The resident's zone of residence: set at verification (picked by the desk,
or derived from a located address), audited, shown on /me/, and kept right
when the planning zones are re-imported."""

from __future__ import annotations

import io
from datetime import date

import geopandas as gpd
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from shapely.geometry import box, shape

from ciic.accounts.models import Role
from ciic.audit.models import Event
from ciic.eligibility.models import RegisterEntry, ResidentProfile, Verification
from ciic.eligibility.services import (
    register_import,
    residence_set,
    verification_create_in_person,
    verification_match_register,
)
from geo.importers import areas_import
from tests.accounts.conftest import make_account
from tests.auth import login
from tests.factories import ResidentProfileFactory, make_cnp, staff_user

pytestmark = pytest.mark.django_db

BORN = date(1990, 5, 17)
# Drumul Taberei and Militari-Păcii, inside their default (approximate) zones.
DRUMUL_TABEREI = (44.4220, 26.0300)
MILITARI_PACII = (44.4370, 25.9990)
OUTSIDE = (44.4268, 26.1025)  # Piața Unirii


def _verify(zone=None, point=None, serial=1):  # type: ignore[no-untyped-def]
    profile = ResidentProfileFactory(date_of_birth=BORN)
    verification_create_in_person(
        actor=staff_user(Role.FACILITATOR),
        user=profile.user,
        cnp=make_cnp(BORN, serial=serial),
        document_type="identity_card",
        sector6_resident=True,
        residence_zone=zone,
        residence_latitude=point[0] if point else None,
        residence_longitude=point[1] if point else None,
    )
    profile.refresh_from_db()
    return profile


def _residence_events(profile):  # type: ignore[no-untyped-def]
    return list(Event.objects.for_object(profile).filter(action="eligibility.residence_changed"))


def test_zone_picked_at_the_desk_is_stored_and_audited(areas):
    zone = areas["zones"]["ghencea"]
    profile = _verify(zone=zone)
    assert profile.residence_zone == zone and profile.residence_latitude is None
    (event,) = _residence_events(profile)
    assert event.before == {"zone": None, "zone_name": None, "located": False}
    assert event.after == {"zone": "ghencea", "zone_name": zone.name, "located": False}
    assert event.actor is not None and event.actor.has_role(Role.FACILITATOR)


def test_zone_derived_from_the_located_address(areas):
    profile = _verify(point=DRUMUL_TABEREI)
    assert profile.residence_zone.slug == "drumul-taberei"
    assert (profile.residence_latitude, profile.residence_longitude) == DRUMUL_TABEREI
    (event,) = _residence_events(profile)
    assert event.after["located"] is True
    assert "44.42" not in str(event.after)  # the audit log keeps no coordinates


@pytest.mark.parametrize(
    ("zone_slug", "point", "field", "message"),
    [
        (None, None, "residence_zone", "Choose the planning zone of residence."),
        ("ghencea", DRUMUL_TABEREI, "residence_zone", "is in the zone “Drumul Taberei”"),
        (None, OUTSIDE, "residence_latitude", "outside Sector 6"),
        (None, (44.42, None), "residence_latitude", "both the latitude and the longitude"),
    ],
)
def test_bad_residence_is_refused_and_nothing_changes(areas, zone_slug, point, field, message):
    profile = ResidentProfileFactory(date_of_birth=BORN)
    with pytest.raises(ValidationError) as caught:
        verification_create_in_person(
            actor=staff_user(Role.FACILITATOR),
            user=profile.user,
            cnp=make_cnp(BORN),
            document_type="identity_card",
            sector6_resident=True,
            residence_zone=areas["zones"][zone_slug] if zone_slug else None,
            residence_latitude=point[0] if point else None,
            residence_longitude=point[1] if point else None,
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert not Verification.objects.exists() and not Event.objects.exists()
    profile.refresh_from_db()
    assert profile.residence_zone is None


def test_without_planning_zones_the_zone_stays_empty():
    """Before any zones are loaded (and for verifications made before zones
    existed) a verified resident has no zone: features must handle it."""
    profile = _verify()
    assert profile.residence_zone is None and not _residence_events(profile)


def test_self_service_register_match_with_the_residents_zone(areas):
    cnp = make_cnp(BORN, serial=7)
    register_import(
        actor=staff_user(Role.ADMINISTRATOR),
        file=io.BytesIO(f"cnp\n{cnp}\n".encode()),
        file_name="r.csv",
    )
    assert RegisterEntry.objects.count() == 1
    profile = ResidentProfileFactory(date_of_birth=BORN)
    user = profile.user
    with pytest.raises(ValidationError) as caught:
        verification_match_register(actor=user, user=user, cnp=cnp)
    assert "residence_zone" in caught.value.message_dict
    assert not Verification.objects.exists()
    verification_match_register(
        actor=user, user=user, cnp=cnp, residence_zone=areas["zones"]["giulesti"]
    )
    profile.refresh_from_db()
    assert profile.residence_zone.slug == "giulesti"
    (event,) = _residence_events(profile)
    assert event.actor == user


def test_desk_corrects_the_zone_later(areas):
    profile = _verify(zone=areas["zones"]["ghencea"])
    desk = staff_user(Role.ASSESSOR)
    residence_set(
        actor=desk, user=profile.user, latitude=MILITARI_PACII[0], longitude=MILITARI_PACII[1]
    )
    profile.refresh_from_db()
    assert profile.residence_zone.slug == "militari-pacii"
    assert len(_residence_events(profile)) == 2
    residence_set(
        actor=desk, user=profile.user, latitude=MILITARI_PACII[0], longitude=MILITARI_PACII[1]
    )
    assert len(_residence_events(profile)) == 2  # nothing changed, nothing recorded
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        residence_set(actor=profile.user, user=profile.user, zone=areas["zones"]["ghencea"])


def _import_halves(areas, tmp_path, names=("Vest", "Est")):  # type: ignore[no-untyped-def]
    sector = areas["sector"]
    geom = shape(sector.geometry)
    mid = (sector.min_lon + sector.max_lon) / 2
    west = geom.intersection(box(sector.min_lon - 1, sector.min_lat - 1, mid, sector.max_lat + 1))
    east = geom.intersection(box(mid, sector.min_lat - 1, sector.max_lon + 1, sector.max_lat + 1))
    path = tmp_path / "zones.geojson"
    gpd.GeoDataFrame({"name": list(names)}, geometry=[west, east], crs="EPSG:4326").to_file(path)
    return areas_import(actor=None, path=path, kind="zone", name_field="name"), mid


def test_zone_survives_a_reimport_of_zones(areas, tmp_path):
    located = _verify(point=MILITARI_PACII, serial=1)  # far west
    located_east = _verify(point=DRUMUL_TABEREI, serial=2)
    picked = _verify(zone=areas["zones"]["ghencea"], serial=3)
    report, mid = _import_halves(areas, tmp_path)
    # The bulk step moved the residents with a located address to their new zone.
    assert report.reassigned["eligibility.ResidentProfile"] == 2
    located.refresh_from_db()
    located_east.refresh_from_db()
    assert located.residence_zone.slug == ("vest" if MILITARI_PACII[1] < mid else "est")
    assert located_east.residence_zone.slug == ("vest" if DRUMUL_TABEREI[1] < mid else "est")
    # A zone picked by hand cannot follow a point: it is empty now, and the
    # import said so.
    picked.refresh_from_db()
    assert picked.residence_zone is None
    assert any("resident profiles: 1 record(s)" in w for w in report.warnings), report.warnings
    (event,) = Event.objects.filter(action="geo.areas_imported")
    assert event.after["reassigned"]["eligibility.ResidentProfile"] == 2


def test_a_picked_zone_kept_by_name_survives_the_reimport(areas, tmp_path):
    """Zones are matched by name: a re-import that keeps "Ghencea" updates it in
    place, and the residents who live there keep it."""
    picked = _verify(zone=areas["zones"]["ghencea"])
    zone_pk = picked.residence_zone_id
    _report, _mid = _import_halves(areas, tmp_path, names=("Ghencea", "Est"))
    picked.refresh_from_db()
    assert picked.residence_zone_id == zone_pk and picked.residence_zone.name == "Ghencea"


# --- pages ------------------------------------------------------------------------------


@pytest.fixture
def desk(client):  # type: ignore[no-untyped-def]
    user = make_account(role=Role.FACILITATOR, totp=True)
    login(client, user)
    return user


def test_desk_verifies_with_a_zone_and_the_resident_sees_it(client, desk, areas):
    profile = ResidentProfileFactory(date_of_birth=BORN)
    url = reverse("eligibility:staff_verify", kwargs={"pk": profile.user_id})
    data = {
        "cnp": make_cnp(BORN),
        "document_type": "identity_card",
        "sector6_address": "yes",
        "identity_checked": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["verify_form"].errors["residence_zone"] == [
        "Choose the planning zone of residence."
    ]
    assert not Verification.objects.exists()
    data["residence_zone"] = str(areas["zones"]["crangasi"].pk)
    response = client.post(url, data)
    assert response.status_code == 302
    assert ResidentProfile.objects.get(pk=profile.pk).residence_zone.slug == "crangasi"

    page = client.get(reverse("eligibility:staff_resident", kwargs={"pk": profile.user_id}))
    assert "Crângași" in page.content.decode()
    client.logout()
    login(client, profile.user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Zone of residence" in html and "Crângași" in html


def test_desk_changes_the_zone_on_the_residents_page(client, desk, areas):
    profile = _verify(zone=areas["zones"]["ghencea"])
    url = reverse("eligibility:staff_resident_residence", kwargs={"pk": profile.user_id})
    response = client.post(
        url,
        {
            "residence-residence_latitude": str(OUTSIDE[0]),
            "residence-residence_longitude": str(OUTSIDE[1]),
        },
    )
    assert response.status_code == 200
    assert "outside Sector 6" in " ".join(
        response.context["residence_form"].errors["residence_latitude"]
    )
    profile.refresh_from_db()
    assert profile.residence_zone.slug == "ghencea"
    response = client.post(url, {"residence-residence_zone": str(areas["zones"]["giulesti"].pk)})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.residence_zone.slug == "giulesti"
    assert _residence_events(profile)[-1].actor == desk


def test_unverified_resident_sees_that_the_zone_is_not_set(client, areas):
    profile = ResidentProfileFactory()
    login(client, profile.user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Not set yet" in html


def test_self_service_page_asks_for_the_zone(client, areas):
    cnp = make_cnp(BORN, serial=9)
    register_import(
        actor=staff_user(Role.ADMINISTRATOR),
        file=io.BytesIO(f"cnp\n{cnp}\n".encode()),
        file_name="r.csv",
    )
    profile = ResidentProfileFactory(date_of_birth=BORN)
    login(client, profile.user)
    url = reverse("eligibility:register_match")
    assert "The planning zone where you live" in client.get(url).content.decode()
    response = client.post(url, {"cnp": cnp, "confirm": "on"})
    assert response.status_code == 200
    assert "residence_zone" in response.context["form"].errors
    assert not Verification.objects.exists()
    response = client.post(
        url, {"cnp": cnp, "confirm": "on", "residence_zone": str(areas["zones"]["ghencea"].pk)}
    )
    assert response.status_code == 302
    assert ResidentProfile.objects.get(pk=profile.pk).residence_zone.slug == "ghencea"
