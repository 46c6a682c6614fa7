"""Turn a media reference (local path or URL) into a checked local file, and decode images safely."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from seawall.content.fetch import Fetcher
from seawall.content.limits import MediaLimits
from seawall.content.sniff import check_format
from seawall.errors import FetchRefused, InvalidInput, TooLarge


@dataclass(frozen=True)
class MediaFile:
    """A media item on local disk whose size and format have been checked."""

    kind: str           # the field it came in: image, video or audio
    format: str         # told by content, e.g. "png", "mp4"
    path: Path
    size: int
    md5: str
    sha256: str
    source: str         # what the caller gave: a path or a URL


@contextmanager
def open_media(ref: str, kind: str, *, limits: MediaLimits, fetcher: Fetcher | None = None,
               allow_local: bool = True) -> Iterator[MediaFile]:
    """Yield a checked local file for `ref`; a fetched copy is deleted afterwards."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput(f"{kind} must be a local path or an http(s) URL")
    max_bytes = limits.max_bytes(kind)
    scheme = ref.split(":", 1)[0].lower() if "://" in ref else ""
    if scheme in ("http", "https"):
        if fetcher is None:
            raise FetchRefused(f"{kind} is a URL but fetching is turned off")
        with tempfile.NamedTemporaryFile(prefix=f"seawall-{kind}-", dir=tmp_dir()) as tmp:
            fetcher.fetch(ref, tmp, max_bytes=max_bytes)
            tmp.flush()
            yield _checked(Path(tmp.name), kind, ref, max_bytes)
        return
    if scheme:
        raise FetchRefused(f"{kind} URL scheme {scheme!r} is not fetched (only http and https)")
    if not allow_local:
        raise InvalidInput(f"{kind} must be an http(s) URL here; local paths are not accepted")
    yield _checked(Path(ref), kind, ref, max_bytes)


def _checked(path: Path, kind: str, source: str, max_bytes: int) -> MediaFile:
    try:
        st = path.stat()
    except OSError as exc:
        raise InvalidInput(f"{kind} {source!r} cannot be read: {exc.strerror or exc}") from None
    # A FIFO or device (/dev/zero) would never end; only regular files are read.
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"{kind} {source!r} is not a regular file")
    if st.st_size > max_bytes:
        raise TooLarge(f"{kind} is {st.st_size} bytes, over the limit of {max_bytes}")
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        chunk = f.read(64)
        fmt = check_format(chunk, kind)
        while chunk:
            size += len(chunk)
            if size > max_bytes:  # the file grew while we read it
                raise TooLarge(f"{kind} is over the limit of {max_bytes} bytes")
            md5.update(chunk)
            sha256.update(chunk)
            chunk = f.read(1 << 20)
    return MediaFile(kind=kind, format=fmt, path=path, size=size, md5=md5.hexdigest(),
                     sha256=sha256.hexdigest(), source=source)


# Pillow's names for the formats sniff.ACCEPTED lets through for images.
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}


@dataclass(frozen=True)
class DecodedImage:
    rgb: np.ndarray     # RGB uint8 (H, W, 3); may be smaller than the file when max_side asked
    width: int          # the file's own size, which boxes are reported in
    height: int
    format: str


def decode_image(media: MediaFile | bytes, *, limits: MediaLimits,
                 max_side: int | None = None) -> DecodedImage:
    """Decode the first frame of an image to RGB, checking its size first.

    The header is read before any pixel: a file whose dimensions break the limits is refused
    without decoding, which is what stops decompression bombs. `max_side` lets JPEG decode at
    a reduced scale when the analysis does not need every pixel.
    """
    if isinstance(media, bytes):
        fmt = check_format(media[:64], "image")
        if len(media) > limits.image_max_bytes:
            raise TooLarge(f"image is {len(media)} bytes, over the limit of {limits.image_max_bytes}")
        source = io.BytesIO(media)
    else:
        fmt, source = media.format, media.path
    try:
        with Image.open(source, formats=[_PIL_FORMATS[fmt]]) as im:
            w, h = im.size
            if w <= 0 or h <= 0:
                raise InvalidInput("image has no pixels")
            if w > limits.image_max_side or h > limits.image_max_side or w * h > limits.image_max_pixels:
                raise TooLarge(f"image is {w}x{h} pixels, over the limit of "
                               f"{limits.image_max_pixels} pixels or {limits.image_max_side} a side")
            if max_side and im.format == "JPEG" and max(w, h) > 2 * max_side:
                im.draft("RGB", (max_side, max_side))
            im.load()
            rgb = _to_rgb(im)
            # Boxes must match what a viewer shows, and viewers apply the EXIF rotation.
            orientation = im.getexif().get(0x0112, 1)
            if orientation in _EXIF_TRANSPOSE:
                rgb = rgb.transpose(_EXIF_TRANSPOSE[orientation])
                if orientation >= 5:
                    w, h = h, w
            if max_side and max(rgb.size) > max_side:
                rgb.thumbnail((max_side, max_side), Image.BILINEAR)
    except (TooLarge, InvalidInput):
        raise
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"image refused as a decompression bomb: {exc}") from None
    except MemoryError:
        raise TooLarge("image needs more memory to decode than is allowed") from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure is this item's error, not ours
        raise InvalidInput(f"image could not be decoded ({fmt}): {exc}") from None
    return DecodedImage(np.asarray(rgb), w, h, fmt)


# EXIF orientation → the transpose that shows the picture upright (as ImageOps.exif_transpose).
_T = Image.Transpose
_EXIF_TRANSPOSE = {2: _T.FLIP_LEFT_RIGHT, 3: _T.ROTATE_180, 4: _T.FLIP_TOP_BOTTOM,
                   5: _T.TRANSPOSE, 6: _T.ROTATE_270, 7: _T.TRANSVERSE, 8: _T.ROTATE_90}


def _to_rgb(im):
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "P", "PA") or "transparency" in im.info:
        # Transparent pixels become white, as a viewer would show them on a light page.
        rgba = im.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return im.convert("RGB")


def tmp_dir() -> str:
    """Where decoded intermediates go; $SEAWALL_TMP lets an operator put them on fast disk."""
    return os.environ.get("SEAWALL_TMP") or tempfile.gettempdir()
