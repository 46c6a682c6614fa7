"""Edited copies of a picture that plain PDQ misses: centre crops, small turns, a mirror, the middle.

PDQ moves ~90 bits when a picture loses 5% a side or turns 5°, so no distance catches
those edits without matching noise. Instead a bank hashes the banked picture as it would
look after the common edits (`BANK_EDITS`), and a query is also hashed as a mirror and as
its middle band (`QUERY_EDITS`). The middle band is symmetric: the bank and the query both
drop the top and bottom quarter, where captions and watermarks usually go, so the two
middles agree even when the query's caption covered half its plain hash.

Names here are stored with bank entries; never rename one, only add.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image

Edit = Callable[[Image.Image], Image.Image]


def centre_crop(im: Image.Image, keep: float) -> Image.Image:
    """The middle `keep` share of each side (0.9: a copy cropped 5% a side)."""
    w, h = im.size
    dx, dy = round(w * (1 - keep) / 2), round(h * (1 - keep) / 2)
    return im.crop((dx, dy, w - dx, h - dy))


def turn(im: Image.Image, degrees: float) -> Image.Image:
    """Turned counter-clockwise on the same canvas, corners black (what most tools leave)."""
    return im.rotate(degrees, Image.BILINEAR)


def turn_and_fill(im: Image.Image, degrees: float) -> Image.Image:
    """Turned, then cropped to the largest centred rectangle of the same shape with no
    corner showing (what a phone's straighten tool does)."""
    w, h = im.size
    t = math.radians(abs(degrees))
    keep = 1 / (math.cos(t) + max(w / h, h / w) * math.sin(t))
    return centre_crop(turn(im, degrees), keep)


def middle(im: Image.Image, cut: float = 0.25) -> Image.Image:
    """Full width, without the top and bottom `cut` of the height."""
    w, h = im.size
    return im.crop((0, round(h * cut), w, h - round(h * cut)))


def mirror(im: Image.Image) -> Image.Image:
    return im.transpose(Image.FLIP_LEFT_RIGHT)


# Chosen by measuring on scikit-image's photos (bench/hashing/robustness.py): a centre crop
# stays within 31 bits of a crop row only up to ~1% a side away from it, so crop rows are
# 2% a side apart (0-10% a side: 90% found, against 51% with rows at 5% and 10% only). A
# turn with black corners stays near a row 1-2° away, more as the corners grow (0.5-7°: at
# least 81% found at every half degree with rows at ±1.5, ±3.5, ±6; rows at ±2, ±4, ±6 leave
# 1° at 71%). A turn cropped to fill also zooms, and is only near a row ~1° away.
BANK_EDITS: dict[str, Edit] = {
    **{f"crop{keep}": (lambda k: lambda im: centre_crop(im, k / 100))(keep)
       for keep in (96, 92, 88, 84, 80)},
    **{f"turn{deg:+g}": (lambda d: lambda im: turn(im, d))(deg)
       for deg in (1.5, -1.5, 3.5, -3.5, 6, -6)},
    **{f"fill{deg:+d}": (lambda d: lambda im: turn_and_fill(im, d))(deg) for deg in (3, -3)},
    "mirror": mirror,
    "middle": middle,
}

# Hashed from the query: a mirror finds mirrored copies even of entries banked from a hash
# list; the middle pairs only with an entry's own "middle" (see seawall.banks.robust).
QUERY_EDITS: dict[str, Edit] = {
    "mirror": mirror,
    "middle": middle,
}
