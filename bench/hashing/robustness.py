"""PDQ robustness on scikit-image's sample photos: plain PDQ against robust banks, same run.

Every photo (and, as unrelated content, each quarter of the larger ones) is banked three
ways in one BankService: `plain` (robust off: the reference PDQ only), `hash list`
(robust, but imported as hashes: only the query's own edits can help) and `picture`
(robust, banked from the picture: its edited copies' hashes are indexed too). Each edited
copy of each photo is then looked up in each bank with `BankService.match_image`, as a
lookup with a picture does. The banks match up to distance 64 so the table can show how
far the nearest entry is; "matched" counts distances within --distance (31, the banks'
default). A false match is any entry from another photo within that distance, for every
edited copy and every quarter looked up against every other photo's entries.

    PYTHONPATH=src python bench/hashing/robustness.py [--distance 31] [--write]
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from seawall.signals.hashers.pdq import PdqHasher
from seawall.signals.hashers.pdq_variants import turn_and_fill

HERE = Path(__file__).resolve().parent
PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "rocket", "coins", "moon", "page",
          "hubble_deep_field", "retina", "motorcycle_left", "brick", "grass", "gravel", "cell",
          "clock", "immunohistochemistry", "text", "horse", "logo", "microaneurysms", "cat")
MODES = ("plain", "hash list", "picture")


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
    try:
        from sklearn.datasets import load_sample_images

        for name, arr in zip(("china", "flower"), load_sample_images().images):
            out[name] = Image.fromarray(arr)
    except ImportError:
        pass
    return out


def quarters(ims: dict[str, Image.Image]) -> dict[str, tuple[str, Image.Image]]:
    """Each quarter of the photos of 300 pixels a side or more, as (parent, picture)."""
    out = {}
    for name, im in ims.items():
        w, h = im.size
        if min(w, h) < 300:
            continue
        for i, box in enumerate([(0, 0, w // 2, h // 2), (w // 2, 0, w, h // 2),
                                 (0, h // 2, w // 2, h), (w // 2, h // 2, w, h)]):
            out[f"{name}#{i}"] = (name, im.crop(box))
    return out


def _jpeg(im: Image.Image, q: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _crop(im: Image.Image, frac: float) -> Image.Image:
    w, h = im.size
    dx, dy = int(w * frac), int(h * frac)
    return im.crop((dx, dy, w - dx, h - dy))


def _text(im: Image.Image, top: bool = False) -> Image.Image:
    im = im.copy()
    d = ImageDraw.Draw(im)
    size = max(12, im.height // 12)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:
        font = ImageFont.load_default()
    y = size // 2 if top else im.height - 2 * size
    d.text((im.width // 20, y), "when the weekend finally arrives",
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
    "crop 2.5% a side": lambda im: _crop(im, 0.025),
    "crop 5% a side": lambda im: _crop(im, 0.05),
    "crop 7.5% a side": lambda im: _crop(im, 0.075),
    "crop 10% a side": lambda im: _crop(im, 0.10),
    "rotate 1°": lambda im: im.rotate(1, Image.BILINEAR),
    "rotate 2°": lambda im: im.rotate(2, Image.BILINEAR),
    "rotate 3°": lambda im: im.rotate(3, Image.BILINEAR),
    "rotate 5°": lambda im: im.rotate(-5, Image.BILINEAR),
    "brightness +25%": lambda im: ImageEnhance.Brightness(im).enhance(1.25),
    "brightness -25%": lambda im: ImageEnhance.Brightness(im).enhance(0.75),
    "overlaid caption": _text,
    "watermark box": _watermark,
    "horizontal flip": lambda im: im.transpose(Image.FLIP_LEFT_RIGHT),
    "resize 50% + JPEG q=50 + caption": lambda im: _text(_jpeg(im.resize(
        (im.width // 2, im.height // 2), Image.BILINEAR), 50)),
    # Edits the robust banks were not shaped for, to show where they stop.
    "flip + crop 5% a side": lambda im: _crop(im.transpose(Image.FLIP_LEFT_RIGHT), 0.05),
    "caption top and bottom": lambda im: _text(_text(im), top=True),
    "crop 10% off top and left only": lambda im: im.crop(
        (im.width // 10, im.height // 10, im.width, im.height)),
    "rotate 5°, cropped to fill": lambda im: turn_and_fill(im, 5),
    "rotate 5°, white corners": lambda im: im.convert("RGBA").rotate(
        5, Image.BILINEAR, fillcolor=(255, 255, 255, 255)).convert("RGB"),
    "rotate 8°": lambda im: im.rotate(8, Image.BILINEAR),
    "pad 10% black border": lambda im: Image.fromarray(np.pad(
        np.asarray(im), ((im.height // 10,) * 2, (im.width // 10,) * 2, (0, 0)))),
}


def _bank(mode: str) -> str:
    return mode.replace(" ", "-")


def build(home: Path, ims, parts):
    """A service with the three banks, each holding every photo and quarter."""
    from seawall.banks.service import BankService
    from seawall.storage.base import make_engine

    svc = BankService(make_engine(f"sqlite:///{home / 'bench.db'}"), home / "state",
                      reload_check_s=60.0)
    pictures = {**{n: (n, im) for n, im in ims.items()}, **parts}
    family: dict[int, str] = {}
    timings = {}
    for mode in MODES:
        svc.create_bank(_bank(mode), "pdq", distance=64, options={"robust": mode != "plain"})
        t = time.perf_counter()
        for name, (parent, im) in pictures.items():
            if mode == "hash list":
                h = PdqHasher().hash_image(im).hex
                svc.add_entries(_bank(mode), [h], external_id=name)
            else:
                svc.add_images(_bank(mode), [im], external_id=name)
        timings[mode] = (time.perf_counter() - t) / len(pictures)
        for e in svc.iter_entries(_bank(mode)):
            family[e.id] = pictures[e.external_id][0]
    return svc, family, timings


def _bankable(im: Image.Image) -> bool:
    """PDQ's quality floor: a picture too flat to hash reliably cannot be banked at all."""
    hasher = PdqHasher()
    return hasher.hash_image(im).quality >= hasher.quality_threshold


def random_crops(ims: dict[str, Image.Image], n: int, seed: int = 0):
    """(parent, picture) of `n` crops, 30-70% of a side, anywhere in a random photo: more
    unrelated pictures for the false-match count (each against the other photos only)."""
    rng = np.random.default_rng(seed)
    names = list(ims)
    for _ in range(n):
        name = names[rng.integers(len(names))]
        im = ims[name]
        w, h = round(im.width * rng.uniform(0.3, 0.7)), round(im.height * rng.uniform(0.3, 0.7))
        x, y = rng.integers(0, im.width - w + 1), rng.integers(0, im.height - h + 1)
        yield name, im.crop((x, y, x + w, y + h))


def run(distance: int, unrelated: int = 300):
    ims = {n: im for n, im in photos().items() if _bankable(im)}
    parts = {n: p for n, p in quarters(ims).items() if _bankable(p[1])}
    print(f"{len(ims)} photos: {', '.join(ims)}; {len(parts)} quarters", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        svc, family, add_s = build(Path(tmp), ims, parts)
        rows, cost = [], {m: [] for m in MODES}
        false = {m: [0, 0, 256] for m in MODES}   # false matches, pairs, closest other photo
        entries = {m: [family[e.id] for e in svc.iter_entries(_bank(m))] for m in MODES}

        def look(mode: str, parent: str, im) -> int:
            t = time.perf_counter()
            ms = svc.match_image(im, banks=[_bank(mode)], record=False)
            cost[mode].append(time.perf_counter() - t)
            own = [m.distance for m in ms if family[m.entry_id] == parent]
            other = [m.distance for m in ms if family[m.entry_id] != parent]
            f = false[mode]
            f[0] += sum(d <= distance for d in other)
            f[1] += sum(p != parent for p in entries[mode])
            f[2] = min([f[2], *other])
            return min(own, default=257)

        for mode in MODES:  # load the compiled search before anything is timed
            svc.match_image(next(iter(ims.values())), banks=[_bank(mode)], record=False)
        for tname, fn in TRANSFORMS.items():
            best = {m: [] for m in MODES}
            for name, im in ims.items():
                edited = fn(im)
                for mode in MODES:
                    best[mode].append(look(mode, name, edited))
            rows.append((tname, *(np.array(best[m]) for m in MODES)))
        for parent, im in [*parts.values(), *random_crops(ims, unrelated)]:
            if not _bankable(im):
                continue
            for mode in MODES:
                look(mode, parent, im)
    return rows, false, cost, add_s, len(ims), len(parts)


def table(distance: int, rows, false, cost, add_s, n_photos: int, n_parts: int) -> str:
    def share(d):
        return f"{np.mean(d <= distance):.0%}"

    def spread(d):
        d = np.minimum(d, 65)
        return f"{int(np.median(d))} / {int(d.max())}".replace("65", ">64")

    out = [f"| edit (distance <= {distance}) | plain PDQ | robust, hash list | robust, picture "
           "| nearest, plain: median / max | nearest, robust picture |",
           "|---|---|---|---|---|---|"]
    for tname, plain, hlist, pic in rows:
        out.append(f"| {tname} | {share(plain)} | {share(hlist)} | {share(pic)} | "
                   f"{spread(plain)} | {spread(pic)} |")
    f = {m: false[m] for m in MODES}
    def closest(d):
        return ">64" if d > 64 else str(d)

    out.append("| **false matches**: another photo's entry within the distance | "
               + " | ".join(f"{f[m][0]}/{f[m][1]:,}" for m in MODES)
               + f" | closest: {closest(f['plain'][2])} | closest: {closest(f['picture'][2])} |")
    ms = {m: 1000 * np.median(cost[m]) for m in MODES}
    p95 = {m: 1000 * np.percentile(cost[m], 95) for m in MODES}
    out.append("| per-query cost, `match_image` ms (median / p95) | "
               + " | ".join(f"{ms[m]:.1f} / {p95[m]:.1f}" for m in MODES) + " | | |")
    out.append("| banking one picture, ms | "
               + " | ".join(f"{1000 * add_s[m]:.0f}" for m in MODES) + " | | |")
    head = (f"{n_photos} photos and {n_parts} quarters of them banked (too flat ones left out); "
            f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} CPUs shared "
            f"with other jobs, load average at the end {__import__('os').getloadavg()[0]:.1f}.")
    return head + "\n\n" + "\n".join(out)


def write_results(md: str) -> None:
    """Replace the robustness table in RESULTS.md (the rest comes from the other scripts)."""
    path = HERE / "RESULTS.md"
    start, end = ("<!-- robustness: written by robustness.py --write -->",
                  "<!-- /robustness -->")
    text = path.read_text()
    if start not in text or end not in text:
        raise SystemExit(f"{path} lacks the {start} ... {end} markers")
    head, rest = text.split(start, 1)
    path.write_text(head + start + "\n" + md + "\n" + end + rest.split(end, 1)[1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--distance", type=int, default=31)
    p.add_argument("--unrelated", type=int, default=300,
                   help="random crops of the photos looked up as unrelated pictures")
    p.add_argument("--write", action="store_true", help="also write bench/hashing/RESULTS.md")
    args = p.parse_args()
    md = table(args.distance, *run(args.distance, args.unrelated))
    print(md)
    if args.write:
        write_results(md)


if __name__ == "__main__":
    main()
