import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from proposals import files
from proposals.services import proposal_attachment_add, proposal_image_add

from .conftest import PDF_BYTES, image_bytes, make_draft, upload

pytestmark = pytest.mark.django_db


def _gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    gps = {1: "N", 2: (44.0, 25.0, 19.0), 3: "E", 4: (26.0, 1.0, 48.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    return exif.tobytes()


def test_jpeg_with_gps_is_reencoded_without_exif():
    raw = image_bytes("JPEG", size=(64, 48), exif=_gps_exif())
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif().get_ifd(0x8825)  # the fixture really carries GPS
    clean = files.image_clean(upload("photo.jpg", raw))
    with Image.open(io.BytesIO(clean.content.read())) as out:
        assert out.format == "JPEG"
        assert not out.getexif()  # no EXIF at all, GPS included
        assert "exif" not in out.info
        assert out.size == (48, 64)  # orientation applied before stripping
    assert clean.name.endswith(".jpg") and "photo" not in clean.name


@pytest.mark.parametrize("fmt,ext", [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_accepted(fmt, ext):
    clean = files.image_clean(upload(f"x.{ext}", image_bytes(fmt)))
    assert clean.name.endswith(ext)


@pytest.mark.parametrize(
    "name,data",
    [
        ("setup.jpg", b"MZ\x90\x00\x03" + b"\x00" * 500),  # a renamed Windows executable
        ("script.png", b"#!/bin/sh\nrm -rf /\n"),
        ("truncated.jpg", image_bytes("JPEG", size=(300, 300))[:400]),
        ("anim.gif", b"GIF89a" + b"\x00" * 100),
    ],
)
def test_non_images_are_refused(name, data):
    with pytest.raises(ValidationError) as exc:
        files.image_clean(upload(name, data))
    assert name in exc.value.messages[0]


def test_gif_refused_even_if_valid():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError):
        files.image_clean(upload("ok.gif", out.getvalue()))


def test_oversize_image_refused():
    big = upload("big.jpg", image_bytes() + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        files.image_clean(big)
    assert exc.value.code == "file_too_big"


def test_decompression_bomb_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_PIXELS", 1000)
    with pytest.raises(ValidationError):
        files.image_clean(upload("bomb.png", image_bytes("PNG", size=(100, 100))))


def test_pdf_checks():
    assert files.pdf_clean(upload("a.pdf", PDF_BYTES)).size == len(PDF_BYTES)
    for bad in (b"MZ\x90\x00", b"%PDF-1.4 truncated without end", b"<html>"):
        with pytest.raises(ValidationError):
            files.pdf_clean(upload("a.pdf", bad))
    with pytest.raises(ValidationError) as exc:
        files.pdf_clean(upload("big.pdf", PDF_BYTES + b"\x00" * (10 * 1024 * 1024)))
    assert exc.value.code == "file_too_big"


def test_at_most_three_images_and_stored_under_draft_folder(call, resident):
    draft = make_draft(author=resident, call=call)
    for _ in range(3):
        image = proposal_image_add(
            actor=resident, proposal=draft, upload=upload("a.jpg", image_bytes())
        )
    assert image.file.name.startswith(f"proposals/draft-{draft.pk}/")
    with pytest.raises(ValidationError) as exc:
        proposal_image_add(actor=resident, proposal=draft, upload=upload("d.jpg", image_bytes()))
    assert exc.value.code == "too_many_images"
    assert draft.images.count() == 3
    doc = proposal_attachment_add(
        actor=resident, proposal=draft, upload=upload("plan.pdf", PDF_BYTES)
    )
    assert doc.original_name == "plan.pdf" and doc.file.name.endswith(".pdf")
