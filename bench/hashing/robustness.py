"""PDQ robustness on scikit-image's sample photos: share of edited copies still matched at the
bank distance, and the false-match rate between unrelated photos and their edits.

    PYTHONPATH=src python bench/hashing/robustness.py [--distance 31] [--markdown]
"""

from __future__ import annotations

import argparse
import io
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from seawall.signals.hashers.pdq import PdqHasher

PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "rocket", "coins", "moon", "page",
          "hubble_deep_field", "retina", "motorcycle_left", "brick", "grass", "gravel", "cell",
          "clock", "immunohistochemistry", "text", "horse", "logo", "microaneurysms", "cat")


def photos() -> dict[str, Image.Image]:
    from skimage import data

    out = {}
    for name in PHOTOS:
        fn = getattr(data, name, None)
        if fn is None:
            continue
        try:
            arr = fn()
        except Exception:  # noqa: BLE001 - a sample that needs a download is skipped
            continue
        if arr.dtype != np.uint8:
            arr = (arr.astype(float) / max(arr.max(), 1) * 255).astype(np.uint8)
        if arr.ndim == 3 and arr.shape[2] == 4:
            arr = arr[..., :3]
        out[name] = Image.fromarray(arr).convert("RGB")
    # Same-scene duplicates would count as false matches that are not false.
    out.pop("cat", None) if "chelsea" in out else None
    return out


def _jpeg(im: Image.Image, q: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _crop(im: Image.Image, frac: float) -> Image.Image:
    w, h = im.size
    dx, dy = int(w * frac), int(h * frac)
    return im.crop((dx, dy, w - dx, h - dy))


def _text(im: Image.Image) -> Image.Image:
    im = im.copy()
    d = ImageDraw.Draw(im)
    size = max(12, im.height // 12)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:
        font = ImageFont.load_default()
    d.text((im.width // 20, im.height - 2 * size), "when the weekend finally arrives",
           fill=(255, 255, 255), font=font, stroke_width=2, stroke_fill=(0, 0, 0))
    return im


def _watermark(im: Image.Image) -> Image.Image:
    im = im.convert("RGBA")
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    w, h = im.size
    d.rectangle((w * 0.62, h * 0.85, w * 0.97, h * 0.96), fill=(255, 255, 255, 110))
    return Image.alpha_composite(im, layer).convert("RGB")


TRANSFORMS = {
    "resize 50%": lambda im: im.resize((im.width // 2, im.height // 2), Image.BILINEAR),
    "resize 25%": lambda im: im.resize((im.width // 4, im.height // 4), Image.BILINEAR),
    "JPEG q=70": lambda im: _jpeg(im, 70),
    "JPEG q=30": lambda im: _jpeg(im, 30),
    "crop 5% a side": lambda im: _crop(im, 0.05),
    "crop 10% a side": lambda im: _crop(im, 0.10),
    "rotate 2°": lambda im: im.rotate(2, Image.BILINEAR),
    "rotate 5°": lambda im: im.rotate(5, Image.BILINEAR),
    "brightness +25%": lambda im: ImageEnhance.Brightness(im).enhance(1.25),
    "brightness -25%": lambda im: ImageEnhance.Brightness(im).enhance(0.75),
    "overlaid caption": _text,
    "watermark box": _watermark,
    "horizontal flip": lambda im: im.transpose(Image.FLIP_LEFT_RIGHT),
    "resize 50% + JPEG q=50 + caption": lambda im: _text(_jpeg(im.resize(
        (im.width // 2, im.height // 2), Image.BILINEAR), 50)),
}


def run(distance: int) -> list[tuple[str, str, str, str]]:
    h = PdqHasher()
    ims = photos()
    base = {n: h.hash_image(im) for n, im in ims.items()}
    rows = []
    all_variants: dict[str, list[str]] = {n: [] for n in ims}
    for tname, fn in TRANSFORMS.items():
        dists, dihedral = [], []
        for n, im in ims.items():
            v = fn(im)
            hv = h.hash_image(v).hex
            all_variants[n].append(hv)
            dists.append(h.distance(base[n].hex, hv))
            dihedral.append(min(h.distance(base[n].hex, d.hex) for d in h.hash_dihedral(v)))
        dists = np.array(dists)
        rows.append((tname, f"{np.mean(dists <= distance):.0%}",
                     f"{np.mean(np.array(dihedral) <= distance):.0%}",
                     f"{int(np.median(dists))} / {int(dists.max())}"))
    # False matches: each photo (and each of its edits) against every other photo's original.
    names = list(ims)
    pairs = false = 0
    closest = 256
    for a in names:
        for b in names:
            if a == b:
                continue
            for hv in [base[a].hex] + all_variants[a]:
                d = h.distance(hv, base[b].hex)
                pairs += 1
                false += d <= distance
                closest = min(closest, d)
    rows.append(("unrelated photos (false match)", f"{false}/{pairs}", "",
                 f"closest: {closest}"))
    print(f"{len(ims)} photos: {', '.join(names)}", file=sys.stderr)
    return rows


def table(rows, distance: int) -> str:
    out = [f"| edit (PDQ, distance <= {distance}) | matched | matched, dihedral query | "
           "distance median / max |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--distance", type=int, default=31)
    args = p.parse_args()
    print(table(run(args.distance), args.distance))


if __name__ == "__main__":
    main()
