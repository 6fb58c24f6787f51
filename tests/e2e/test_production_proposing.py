"""Issue 16, journey 1, on the production stack (tests/e2e/stack.py): a
visitor signs up, confirms the email (the link from the mail the worker
delivered), is verified at the desk by a facilitator who logged in with the
second factor, and submits a proposal with a map point found by place search
and a photo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from .stack import log_in, submit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

EMAIL = "ioana.marin@example.org"
PASSWORD = "Parc-Drumul-Taberei-2026"
BORN = dt.date(1988, 9, 14)


@pytest.fixture
def facilitator(db):  # type: ignore[no-untyped-def]
    from ciic.accounts.models import Role
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user

    return confirm_email(add_totp(staff_user(Role.FACILITATOR)))


def _photo(path) -> None:  # type: ignore[no-untyped-def]
    img = Image.new("RGB", (640, 480), (60, 130, 70))
    exif = Image.Exif()
    exif[0x8825] = {2: (44.0, 26.0, 1.0)}  # GPS position: must not be published
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    path.write_bytes(buf.getvalue())


def test_sign_up_desk_verification_and_a_proposal_with_place_search_and_photo(
    browser, stack, home_page, open_call, facilitator, tmp_path
):  # type: ignore[no-untyped-def]
    from cms.legal_pages import legal_pages_ensure
    from proposals.models import Proposal
    from tests.factories import make_cnp

    legal_pages_ensure()
    visitor = stack.page(browser)

    # Sign-up; the worker delivers the confirmation mail.
    visitor.goto("/accounts/signup/")
    visitor.fill("input[name=email]", EMAIL)
    visitor.fill("input[name=password1]", PASSWORD)
    visitor.fill("input[name=password2]", PASSWORD)
    stack.shot(visitor, "signup")
    submit(visitor)
    stack.shot(visitor, "signup-check-your-email")
    assert stack.mail_to(EMAIL) == []
    stack.worker()
    [confirmation] = stack.mail_to(EMAIL)
    visitor.goto(stack.link_in(confirmation, "/accounts/confirm-email/"))
    stack.shot(visitor, "confirm-email")
    submit(visitor)
    assert "/accounts/login/" not in visitor.url, visitor.url

    # The profile, which the desk needs.
    visitor.goto("/me/profile/")
    visitor.fill("input[name=full_name]", "Ioana Marin")
    visitor.fill("input[name=date_of_birth]", BORN.isoformat())
    visitor.fill("input[name=address]", "Bulevardul Iuliu Maniu 61, bl. 12, ap. 4")
    submit(visitor)
    stack.shot(visitor, "profile-saved")

    # At the desk: the facilitator (password and code) checks the identity card.
    desk = stack.page(browser)
    log_in(desk, facilitator.email, totp=True)
    desk.goto(f"/staff/residents/?q={EMAIL}")
    with desk.expect_navigation():
        desk.locator("main table a.button").first.click()
    desk.fill("#verify input[name=cnp]", make_cnp(BORN, sex_digit=2, serial=615))
    desk.check("#verify input[name=document_type][value=identity_card]")
    desk.check("#verify input[name=sector6_address][value=yes]")
    zone = desk.locator("#verify select[name=residence_zone]")
    if zone.count():
        zone.select_option(index=1)
    desk.check("#verify input[name=identity_checked]")
    stack.shot(desk, "desk-verification")
    submit(desk, "#verify form [type=submit]")
    stack.shot(desk, "desk-verified")
    from ciic.eligibility.models import Verification

    assert Verification.objects.filter(user__email=EMAIL).count() == 1

    # The proposal: what, where (found by the place's name), how much, a photo.
    visitor.goto(f"/proposals/new/{open_call.slug}/")
    visitor.fill("input[name=title]", "Umbră și bănci pe Bulevardul Iuliu Maniu")
    visitor.fill("textarea[name=summary]", "Arbori și bănci lângă stația de autobuz.")
    visitor.fill("textarea[name=description]", "## De ce\n\nStația nu are umbră vara.")
    visitor.locator("input[name=category][value=mediu]").check()
    stack.shot(visitor, "proposal-what")
    submit(visitor)
    assert visitor.url.endswith("/where/"), visitor.url
    visitor.wait_for_function("() => window.ciicStreetsDrawnAt > 0", timeout=30_000)
    visitor.locator("#location-search-input").fill("Iuliu Maniu")
    visitor.locator("#location-search-list [role=option]", has_text="Iuliu Maniu").first.click()
    visitor.wait_for_function(
        "() => document.getElementById('location-map').ciicMap.getZoom() >= 14"
    )
    visitor.locator("#location-map").scroll_into_view_if_needed()
    box = visitor.locator("#location-map").bounding_box()
    assert box is not None
    visitor.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    assert visitor.input_value("input[name=latitude]") != ""
    stack.shot(visitor, "proposal-where-place-search")
    submit(visitor)
    assert visitor.url.endswith("/cost/"), visitor.locator(".errorlist").all_inner_texts()
    visitor.fill("input[name=cost_estimate]", "120000")
    submit(visitor)
    assert visitor.url.endswith("/files/"), visitor.url
    photo = tmp_path / "statie.jpg"
    _photo(photo)
    visitor.set_input_files("input[name=images]", str(photo))
    visitor.locator("input[name=consent_publication]").check()
    visitor.locator("input[name=consent_image_rights]").check()
    stack.shot(visitor, "proposal-photo")
    submit(visitor)
    assert visitor.url.endswith("/review/"), visitor.url
    stack.shot(visitor, "proposal-review")
    submit(visitor, "form[action$='/submit/'] [type=submit]")

    proposal = Proposal.objects.get(author__email=EMAIL)
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.zone is not None and proposal.latitude is not None
    image = proposal.images.get()
    stored = stack.root / "media" / image.file.name
    assert stored.exists()
    assert not Image.open(stored).getexif()  # the GPS position was stripped

    # The public page shows it, with the photo served from the media files.
    anyone = stack.page(browser)
    anyone.goto(proposal.get_absolute_url())
    assert anyone.locator("h1").first.inner_text().strip() == proposal.title
    stack.shot(anyone, "proposal-public")
