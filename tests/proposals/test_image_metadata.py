"""Uploaded images keep their pixels and nothing else: crafted files of every
accepted format (JPEG, PNG, WebP), loaded with every kind of metadata block
they can carry, are stored without any of it. Checked on the stored bytes,
block by block, not through Pillow's reading of them. An image with an ICC
profile is converted to sRGB (its colours stay right), then the profile goes."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from proposals.services import proposal_image_add

from .conftest import make_draft, upload

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude='
    b'"44,25.3N"/></rdf:RDF></x:xmpmeta>' + SCRIPT
)
# Words that must not survive anywhere in a stored file.
LEFTOVERS = (b"<script", b"xmpmeta", b"Exif", b"ICC_PROFILE", b"Photoshop", b"acsp", b"CIIC-SECRET")


# --- crafted metadata --------------------------------------------------------------------------


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def icc_swapped_rgb() -> bytes:
    """A valid RGB display profile whose red and blue primaries are swapped:
    a pixel stored as pure red *means* sRGB blue. Converting to sRGB must
    therefore turn (255, 0, 0) into (about) (0, 0, 255)."""
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    name = b"CIIC-SECRET swapped RGB"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(name) + 1) + name + b"\0"
    desc += b"\0" * 8 + b"\0" * 3 + b"\0" * 67  # empty Unicode and ScriptCode parts
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0" * 2  # gamma 2.2
    tags = [
        (b"desc", desc),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*blue)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*red)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + b"\0" * 4 + b"CIIC-SECRET\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + _xyz(0.9642, 1.0, 0.8249)[8:]
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CIIC-SECRET camera"  # Make
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    exif[0x8825] = {1: "N", 2: (44.0, 25.0, 19.0), 3: "E", 4: (26.0, 1.0, 48.0)}
    return exif.tobytes()


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def crafted_jpeg(mode: str = "RGB", *, icc: bytes | None = None) -> bytes:
    colour = {"RGB": (255, 0, 0), "L": 90, "CMYK": (0, 255, 255, 0)}[mode]
    out = io.BytesIO()
    Image.new(mode, (40, 30), colour).save(
        out,
        "JPEG",
        quality=95,
        comment=SCRIPT,
        exif=exif_with_gps(),
        icc_profile=icc or b"",
        dpi=(300, 300),
    )
    data = out.getvalue()
    extra = (
        _jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + XMP)  # XMP
        + _jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x10" + SCRIPT[:16])  # IPTC
        + _jpeg_segment(0xEC, b"Ducky\0CIIC-SECRET")  # APP12
        + _jpeg_segment(0xFE, b"second comment " + SCRIPT)
    )
    # After SOI, and something after EOI too (a polyglot's tail).
    return data[:2] + extra + data[2:] + b"\r\n" + SCRIPT


def crafted_png(mode: str = "RGB", *, icc: bytes | None = None) -> bytes:
    colour = {
        "RGB": (255, 0, 0),
        "RGBA": (255, 0, 0, 128),
        "L": 90,
        "LA": (90, 200),
        "P": 3,
        "I;16": 40000,
    }[mode]
    img = Image.new(mode, (40, 30), colour)
    if mode == "P":
        img.putpalette([0, 0, 0, 10, 20, 30, 40, 50, 60, 255, 0, 0] + [0] * (256 * 3 - 12))
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_text("Author", "CIIC-SECRET author", zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), lang="en", tkey="xmp")  # iTXt
    info.add(b"prVt", b"CIIC-SECRET private chunk")
    kwargs: dict[str, object] = {"pnginfo": info, "exif": exif_with_gps(), "dpi": (300, 300)}
    if icc:
        kwargs["icc_profile"] = icc
    if mode == "P":
        kwargs["transparency"] = 0
    out = io.BytesIO()
    img.save(out, "PNG", **kwargs)
    return out.getvalue()


def crafted_webp(mode: str = "RGB", *, lossless: bool = False, icc: bytes | None = None) -> bytes:
    colour = {"RGB": (255, 0, 0), "RGBA": (255, 0, 0, 128)}[mode]
    out = io.BytesIO()
    Image.new(mode, (40, 30), colour).save(
        out,
        "WEBP",
        lossless=lossless,
        quality=95,
        exif=exif_with_gps(),
        xmp=XMP,
        icc_profile=icc or b"",
    )
    return out.getvalue()


# --- reading the stored bytes block by block ---------------------------------------------------


def jpeg_markers(data: bytes) -> list[int]:
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"not a marker at {pos}"
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows up to EOI
            end = data.rindex(b"\xff\xd9")
            assert end == len(data) - 2, "bytes after the end of the image"
            return markers
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    raise AssertionError("no image data")


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == (
            zlib.crc32(kind + body)
        )
        chunks.append(kind)
        pos += 12 + length
    assert chunks[-1] == b"IEND"
    return chunks


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    (riff_size,) = struct.unpack("<I", data[4:8])
    assert riff_size + 8 == len(data), "bytes outside the RIFF container"
    chunks, pos = [], 12
    while pos < len(data):
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append(kind)
        pos += 8 + length + (length & 1)
    return chunks


ALLOWED_JPEG = {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}  # JFIF, tables, frame, scan
ALLOWED_PNG = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
ALLOWED_WEBP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def assert_pixels_only(data: bytes) -> None:
    for word in LEFTOVERS:
        assert word not in data, word
    if data[:2] == b"\xff\xd8":
        markers = jpeg_markers(data)
        assert set(markers) <= ALLOWED_JPEG, [hex(m) for m in markers]
        assert markers.count(0xE0) == 1
    elif data[:4] == b"\x89PNG":
        chunks = png_chunks(data)
        assert set(chunks) <= ALLOWED_PNG, chunks
    else:
        chunks = webp_chunks(data)
        assert set(chunks) <= ALLOWED_WEBP, chunks
        if b"VP8X" in chunks:  # the extended header must not announce ICC, EXIF or XMP
            flags = data[data.index(b"VP8X") + 8]
            assert flags & 0b00101100 == 0, bin(flags)
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        leaked = set(img.info) & {"icc_profile", "exif", "xmp", "comment", "Comment", "Author"}
        assert not leaked, leaked
        assert not img.getexif()


def store(resident, call, name: str, data: bytes) -> tuple[bytes, Image.Image]:  # type: ignore[no-untyped-def]
    draft = make_draft(author=resident, call=call)
    image = proposal_image_add(actor=resident, proposal=draft, upload=upload(name, data))
    with image.file.open("rb") as fh:
        stored = fh.read()
    decoded = Image.open(io.BytesIO(stored))
    decoded.load()
    return stored, decoded


# --- the tests ---------------------------------------------------------------------------------


CRAFTED = {
    "jpeg-rgb": ("a.jpg", lambda: crafted_jpeg("RGB")),
    "jpeg-grey": ("a.jpg", lambda: crafted_jpeg("L")),
    "jpeg-cmyk": ("a.jpg", lambda: crafted_jpeg("CMYK")),
    "png-rgb": ("a.png", lambda: crafted_png("RGB")),
    "png-rgba": ("a.png", lambda: crafted_png("RGBA")),
    "png-grey": ("a.png", lambda: crafted_png("L")),
    "png-grey-alpha": ("a.png", lambda: crafted_png("LA")),
    "png-palette": ("a.png", lambda: crafted_png("P")),
    "png-16-bit": ("a.png", lambda: crafted_png("I;16")),
    "webp-lossy": ("a.webp", lambda: crafted_webp("RGB")),
    "webp-lossless-alpha": ("a.webp", lambda: crafted_webp("RGBA", lossless=True)),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_metadata_is_not_stored(call, resident, case):
    name, make = CRAFTED[case]
    source = make()
    assert SCRIPT in source or b"xmpmeta" in source  # the crafted file does carry it
    stored, decoded = store(resident, call, name, source)
    assert_pixels_only(stored)
    assert decoded.size == (40, 30)
    assert decoded.format == Image.open(io.BytesIO(source)).format


def test_pixels_survive(call, resident):
    _stored, decoded = store(resident, call, "a.png", crafted_png("RGBA"))
    assert decoded.mode == "RGBA" and decoded.getpixel((5, 5)) == (255, 0, 0, 128)
    _stored, decoded = store(resident, call, "p.png", crafted_png("P"))
    assert decoded.convert("RGBA").getpixel((5, 5)) == (255, 0, 0, 255)
    keyed = io.BytesIO()
    img = Image.new("RGB", (40, 30), (0, 255, 0))
    img.paste((255, 0, 0), (0, 0, 10, 10))
    img.save(keyed, "PNG", transparency=(255, 0, 0))  # red is transparent (a tRNS colour key)
    stored, decoded = store(resident, call, "k.png", keyed.getvalue())
    assert_pixels_only(stored)
    assert decoded.getpixel((5, 5))[3] == 0 and decoded.getpixel((20, 20)) == (0, 255, 0, 255)
    _stored, decoded = store(resident, call, "a.jpg", crafted_jpeg("RGB"))
    r, g, b = decoded.convert("RGB").getpixel((5, 5))
    assert r > 240 and g < 15 and b < 15


@pytest.mark.parametrize(
    "name,make",
    [
        ("a.jpg", lambda icc: crafted_jpeg("RGB", icc=icc)),
        ("a.png", lambda icc: crafted_png("RGB", icc=icc)),
        ("a.png", lambda icc: crafted_png("RGBA", icc=icc)),
        ("a.webp", lambda icc: crafted_webp("RGB", icc=icc)),
        ("a.webp", lambda icc: crafted_webp("RGBA", lossless=True, icc=icc)),
    ],
)
def test_icc_profile_is_applied_then_dropped(call, resident, name, make):
    icc = icc_swapped_rgb()
    ImageCms.ImageCmsProfile(io.BytesIO(icc))  # a profile LittleCMS accepts
    source = make(icc)
    with Image.open(io.BytesIO(source)) as original:
        assert original.info.get("icc_profile") == icc
    stored, decoded = store(resident, call, name, source)
    assert_pixels_only(stored)
    # Stored red under a red/blue-swapped profile is blue once in sRGB.
    r, g, b = decoded.convert("RGB").getpixel((5, 5))
    assert b > 200 and r < 60 and g < 60, (r, g, b)
    if decoded.mode == "RGBA":
        assert decoded.getpixel((5, 5))[3] == 128


def test_broken_icc_profile_is_dropped_and_pixels_kept(call, resident):
    stored, decoded = store(resident, call, "a.png", crafted_png("RGB", icc=b"not a profile"))
    assert_pixels_only(stored)
    assert decoded.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_upload_through_the_page_stores_pixels_only(client, call, resident):
    draft = make_draft(author=resident, call=call)
    client.force_login(resident)
    response = client.post(
        f"/proposals/edit/{draft.pk}/files/",
        {"images": [upload("photo.jpg", crafted_jpeg("RGB"))], "consent_image_rights": "on"},
    )
    assert response.status_code == 302
    image = draft.images.get()
    with image.file.open("rb") as fh:
        assert_pixels_only(fh.read())
