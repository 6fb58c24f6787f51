"""Upload checks. Images are decoded in full and re-encoded, which proves they
are images and drops every metadata block (EXIF, GPS, XMP); PDFs are checked
by their magic bytes and size. Every failure is a translated ValidationError."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_IMAGES = 3
MAX_ATTACHMENTS = 3
MAX_PIXELS = 40_000_000  # ~ 7300 x 5500; bigger images are refused, not decoded
MAX_SIDE = 2400  # stored images are scaled down to this
IMAGE_FORMATS = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG"), "WEBP": ("webp", "WEBP")}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    name: str
    width: int
    height: int


def _too_big(upload: UploadedFile, limit: int) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is %(size)s; the limit is %(limit)s.")
        % {
            "name": upload.name,
            "size": filesizeformat(upload.size),
            "limit": filesizeformat(limit),
        },
        code="file_too_big",
    )


def image_clean(upload: UploadedFile) -> CleanImage:
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise _too_big(upload, MAX_IMAGE_BYTES)
    not_image = ValidationError(
        _("“%(name)s” is not a valid JPEG, PNG or WebP image.") % {"name": upload.name},
        code="invalid_image",
    )
    try:
        upload.seek(0)
        data = upload.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise _too_big(upload, MAX_IMAGE_BYTES)
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in IMAGE_FORMATS:
                raise not_image
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels.") % {"name": upload.name},
                    code="image_too_large",
                )
            probe.verify()
        # verify() leaves the image unusable: open again and decode every pixel.
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            ext, pil_format = IMAGE_FORMATS[fmt]
            if pil_format == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            out = io.BytesIO()
            save_kwargs: dict[str, object] = {}
            if pil_format == "JPEG":
                save_kwargs = {"quality": 85, "optimize": True}
            elif pil_format == "WEBP":
                save_kwargs = {"quality": 85}
            # No exif=, no pnginfo=, no icc/xmp: a fresh file without metadata.
            img.save(out, pil_format, **save_kwargs)
            width, height = img.size
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise not_image from exc
    return CleanImage(
        content=ContentFile(out.getvalue()),
        name=f"{uuid.uuid4().hex}.{ext}",
        width=width,
        height=height,
    )


def pdf_clean(upload: UploadedFile) -> ContentFile:
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        raise _too_big(upload, MAX_PDF_BYTES)
    upload.seek(0)
    data = upload.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise _too_big(upload, MAX_PDF_BYTES)
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("“%(name)s” is not a valid PDF document.") % {"name": upload.name},
            code="invalid_pdf",
        )
    return ContentFile(data)
