"""Checking and cleaning an uploaded file before it is stored (Pillow for photos).

The type is read from the content, never from the name or the browser's word for it: a photo
is whatever Pillow can open as one of the allowed image formats, a PDF starts with `%PDF-`.
Photos are stored re-encoded from their pixels, so EXIF (with any GPS position, the camera, the
time) and other metadata are gone; the EXIF orientation is applied first so that the picture
still stands upright. Each photo gets a JPEG thumbnail.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import Invalid, TooLarge

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
DEFAULT_TYPES = frozenset({*IMAGE_TYPES.values(), "application/pdf"})
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
THUMBNAIL_SIZE = (320, 320)
# A decompression bomb (a small file of enormous pixel size) is refused, not decoded.
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    types: frozenset[str] = DEFAULT_TYPES


@dataclass(frozen=True)
class Cleaned:
    content_type: str
    data: bytes
    thumbnail: bytes | None


def clean(data: bytes, limits: Limits) -> Cleaned:
    if len(data) > limits.max_bytes:
        raise TooLarge("the file is %(size)s bytes; files may be at most %(limit)s bytes",
                       size=len(data), limit=limits.max_bytes)
    if not data:
        raise Invalid("the file is empty")
    content_type = sniff(data)
    if content_type is None or content_type not in limits.types:
        raise Invalid("this kind of file is not accepted; accepted are: %(types)s",
                      types=sorted(limits.types))
    if content_type == "application/pdf":
        return Cleaned(content_type, data, None)
    return _clean_image(data, content_type)


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.verify()
                return IMAGE_TYPES.get(image.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return None


def _clean_image(data: bytes, content_type: str) -> Cleaned:
    try:
        with Image.open(io.BytesIO(data)) as original:
            image = ImageOps.exif_transpose(original)
            image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid("the picture could not be read: %(reason)s", reason=str(exc)) from None
    out = io.BytesIO()
    fmt = next(f for f, t in IMAGE_TYPES.items() if t == content_type)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Saved without `exif=` or `pnginfo=`: nothing but the pixels (and their palette) is kept.
    image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="JPEG", quality=80)
    return Cleaned(content_type, out.getvalue(), thumb_out.getvalue())
