"""A resident brings an idea from a blank form to a published proposal, in a
real browser, with the map picker, an image upload and the server's checks."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from .stack import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def resident(db):  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress

    from tests.factories import verified_resident

    user, _verification, _cnp = verified_resident(born=dt.date(1985, 3, 2), serial=77)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _photo_with_gps(path) -> None:  # type: ignore[no-untyped-def]
    img = Image.new("RGB", (320, 240), (40, 140, 60))
    exif = Image.Exif()
    exif[0x8825] = {2: (44.0, 26.0, 1.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    path.write_bytes(buf.getvalue())


def test_a_resident_submits_a_proposal_end_to_end(page, home_page, open_call, resident, tmp_path):
    from proposals.models import Proposal

    log_in(page, resident.email)
    page.goto(f"/proposals/new/{open_call.slug}/")

    # Step 1: what
    page.fill("input[name=title]", "Bănci și umbră în parcul Drumul Taberei")
    page.fill("textarea[name=summary]", "Zece bănci noi și arbori pe aleea principală.")
    page.fill("textarea[name=description]", "## De ce\n\nVârstnicii nu au unde să stea la umbră.")
    page.locator("input[name=category][value=mediu]").check()
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/where/")

    # Step 2: where. A point outside Sector 6 is refused next to the field ...
    page.fill("input[name=latitude]", "44.4268")
    page.fill("input[name=longitude]", "26.1025")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/where/")
    assert page.locator(".errorlist").first.is_visible()
    # ... nothing was saved, and a click on the map, in the middle of the sector, places it.
    page.goto(page.url)
    assert page.input_value("input[name=latitude]") == ""
    page.wait_for_selector("#location-map .leaflet-interactive")
    page.locator("#location-map").scroll_into_view_if_needed()  # mouse clicks need it on screen
    box = page.locator("#location-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55)
    assert page.input_value("input[name=latitude]") != ""
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/cost/"), page.locator(".errorlist").all_inner_texts()

    # Step 3: how much (a cost over the call's maximum is refused first)
    page.fill("input[name=cost_estimate]", "900000")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/cost/")
    assert page.locator(".errorlist").first.is_visible()
    page.fill("input[name=cost_estimate]", "180000")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/files/")

    # Step 4: a photo carrying GPS data, and the consents
    photo = tmp_path / "banca.jpg"
    _photo_with_gps(photo)
    page.set_input_files("input[name=images]", str(photo))
    page.locator("input[name=consent_publication]").check()
    page.locator("input[name=consent_image_rights]").check()
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.url.endswith("/review/")

    # Step 5: review and submit
    with page.expect_navigation():
        page.locator("form[action$='/submit/'] [type=submit]").click()
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert re.fullmatch(r"S6-\d{4}-0001", proposal.reference)
    assert proposal.zone is not None
    image = proposal.images.get()
    with image.file.open("rb") as fh:
        assert not Image.open(fh).getexif()

    # The public sees it, with its map.
    page.goto(proposal.get_absolute_url())
    assert page.locator("h1").first.inner_text().strip() == proposal.title
    assert proposal.reference in page.content()
    page.goto("/proposals/")
    assert page.get_by_text(proposal.title).first.is_visible()


def test_the_map_renders_offline_with_zones_and_markers(page, home_page, open_call, resident):
    from proposals.services import proposal_draft_create, proposal_submit, proposal_update

    proposal = proposal_draft_create(
        actor=resident,
        call=open_call,
        title="Iluminat pe aleea Crângași",
        summary="Stâlpi noi cu LED.",
        description="",
        category="siguranta",
    )
    proposal = proposal_update(
        actor=resident,
        proposal=proposal,
        data={
            "latitude": 44.449,
            "longitude": 26.043,
            "whole_sector": False,
            "cost_estimate": Decimal("90000"),
            "consent_publication": True,
            "consent_image_rights": True,
        },
    )
    proposal_submit(actor=resident, proposal=proposal)

    page.goto("/map/")
    page.locator("[data-ciic-map] .leaflet-overlay-pane canvas").first.wait_for()
    assert "ANCPI" in page.locator("[data-ciic-map] .leaflet-control-attribution").inner_text()
    page.wait_for_function("() => window.ciicPointsDrawnAt !== undefined", timeout=20_000)
    # Count what was actually drawn (the map renders to canvases): the zones
    # are Leaflet polygons, the proposals the point layer's circles on screen.
    drawn = page.evaluate(
        """() => {
            const map = document.querySelector('[data-ciic-map]').ciicMap;
            const layers = Object.values(map._layers);
            return {
              polygons: layers.filter(l => l instanceof L.Polygon).length,
              points: window.ciicPointLayer.drawn.length,
            };
        }"""
    )
    assert drawn["polygons"] >= 14  # the sector and its 13 zones
    assert drawn["points"] == 1
