"""Re-encode uploaded images so no metadata (EXIF, GPS, XMP, ICC, comments) survives.

Threat answered: a phone photo carries where and when it was taken and on
which device. Copying only the pixels into a new JPEG drops all of it.
"""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 2048


class ImageRejected(ValueError):
    """The file is not an image we accept; the message is for the reporter."""


def reencode(data: bytes) -> bytes:
    """Return ``data`` as a fresh JPEG of at most 2048 px a side, with no metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as original:
                if original.format not in ALLOWED_FORMATS:
                    raise ImageRejected(_("This file is not a JPEG, PNG or WebP photo."))
                if original.width * original.height > MAX_PIXELS:
                    raise ImageRejected(_("This photo is too large in size to take. Try a screenshot of it."))
                img = ImageOps.exif_transpose(original)
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                if img.mode in ("RGBA", "LA", "P"):
                    rgba = img.convert("RGBA")
                    img = Image.new("RGB", rgba.size, (255, 255, 255))
                    img.paste(rgba, mask=rgba.getchannel("A"))
                elif img.mode != "RGB":
                    img = img.convert("RGB")
                # A new image holding only pixels: nothing from the original's info survives.
                clean = Image.frombytes("RGB", img.size, img.tobytes())
    except ImageRejected:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
    ):
        raise ImageRejected(_("We couldn't open this file as a photo.")) from None
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
