"""Upload checks. Images are decoded in full and re-encoded from their pixels
alone, which proves they are images and leaves behind everything else the
source file carried: EXIF (GPS), XMP, ICC profiles, comments, text chunks,
private blocks, bytes after the image. An image with an ICC profile is first
converted to sRGB, so its colours stay right without the profile. PDFs are
checked by their magic bytes and size. Every failure is a translated
ValidationError."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

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
            icc = img.info.get("icc_profile")
            img = ImageOps.exif_transpose(img)
            # Palettes and colour-key transparency become plain pixels (and alpha),
            # scaled smoothly; the palette and the key are not kept apart.
            keyed = img.mode in ("1", "L", "RGB") and "transparency" in img.info
            if img.mode in ("P", "PA") or keyed:
                has_alpha = img.mode == "PA" or "transparency" in img.info
                img = img.convert("RGBA" if has_alpha else "RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            if icc:
                img = _to_srgb(img, icc)
            ext, pil_format = IMAGE_FORMATS[fmt]
            if pil_format == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            elif img.mode == "CMYK":
                img = img.convert("RGB")
            img = _pixels_only(img)
            out = io.BytesIO()
            save_kwargs: dict[str, object] = {}
            if pil_format == "JPEG":
                save_kwargs = {"quality": 85, "optimize": True}
            elif pil_format == "WEBP":
                save_kwargs = {"quality": 85}
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


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    """The pixels converted from the image's own ICC profile to sRGB. A profile
    LittleCMS cannot read, or one that does not fit the image (a grey profile
    on a colour image), is ignored: the pixels are taken as sRGB already."""
    alpha = None
    if img.mode == "LA":
        alpha = img.getchannel("A")
        img = img.convert("L")
    output_mode = {"RGB": "RGB", "RGBA": "RGBA", "L": "RGB", "CMYK": "RGB"}.get(img.mode)
    if output_mode is None:
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            img,
            source,
            _SRGB,
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode=output_mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        converted = None
    if converted is None:  # profileToProfile returns None only when asked to work in place
        converted = img.convert(output_mode) if img.mode != "L" else img
    if alpha is not None:
        converted = (
            converted.convert("RGBA") if converted.mode == "RGB" else converted.convert("LA")
        )
        converted.putalpha(alpha)
    return converted


def _pixels_only(img: Image.Image) -> Image.Image:
    """A new image made of nothing but these pixels: no `info` (EXIF, XMP,
    ICC, comments, text chunks, transparency keys, DPI), no palette tricks."""
    return Image.frombytes(img.mode, img.size, img.tobytes())


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
