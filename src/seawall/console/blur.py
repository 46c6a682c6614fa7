"""Images as a moderator first sees them: grayscale, detected regions blurred (the whole image when
nothing was located), evidence boxes outlined. Done on the server, so the original pixels never
reach the browser until the person asks for them."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

MAX_SIDE = 1280                   # what a laptop screen shows; larger images are scaled down
BLUR = {"strong": 0.08, "light": 0.03}   # radius as a share of the longer side
OUTLINE = (255, 176, 0)           # amber: visible on grayscale and on colour


def render(rgb: np.ndarray, *, width: int, height: int, boxes: Sequence[Sequence[float]] = (),
           reveal: bool = False, blur: str = "strong", grayscale: bool = True) -> bytes:
    """JPEG bytes of the picture to show. `width`/`height` are the file's own size, which boxes use."""
    im = Image.fromarray(np.asarray(rgb, dtype=np.uint8), "RGB")
    if max(im.size) > MAX_SIDE:
        im.thumbnail((MAX_SIDE, MAX_SIDE), Image.BILINEAR)
    sx, sy = im.width / max(1, width), im.height / max(1, height)
    scaled = [_scale(b, sx, sy, im.size) for b in boxes]
    scaled = [b for b in scaled if b is not None]
    if not reveal:
        if grayscale:
            im = ImageOps.grayscale(im).convert("RGB")
        radius = max(4.0, BLUR.get(blur, BLUR["strong"]) * max(im.size))
        if scaled:
            for x0, y0, x1, y1 in scaled:
                region = im.crop((x0, y0, x1, y1)).filter(ImageFilter.GaussianBlur(radius))
                im.paste(region, (x0, y0))
        else:
            im = im.filter(ImageFilter.GaussianBlur(radius))
    draw = ImageDraw.Draw(im)
    line = max(2, round(max(im.size) / 300))
    for x0, y0, x1, y1 in scaled:
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=OUTLINE, width=line)
    out = io.BytesIO()
    # JPEG: a photo encodes about ten times faster than PNG, and this runs on every item opened.
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def _scale(box: Sequence[float], sx: float, sy: float, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    try:
        x, y, w, h = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    x0, y0 = max(0, int(x * sx)), max(0, int(y * sy))
    x1, y1 = min(size[0], int((x + w) * sx + 0.5)), min(size[1], int((y + h) * sy + 0.5))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return x0, y0, x1, y1


def placeholder(text: str, size: tuple[int, int] = (480, 270)) -> bytes:
    """A neutral tile shown when media cannot be opened (gone, refused, too large)."""
    im = Image.new("RGB", size, (60, 64, 72))
    ImageDraw.Draw(im).text((16, size[1] // 2 - 6), text[:70], fill=(230, 230, 230))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()
