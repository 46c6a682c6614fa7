"""Media throughput on this machine: images/s per image signal, OCR engines side by side, and
seconds of video judged per wall-clock second at 720p and 1080p with the time of each stage.

    PYTHONPATH=src python bench/media/run.py [--quick] [--write]

Media are synthesized (tests/fixtures/media.py) and cached under bench/out/media/.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from seawall.content.decode import decode_media  # noqa: E402
from seawall.content.hashes import pdq  # noqa: E402
from seawall.content.limits import MediaLimits  # noqa: E402
from seawall.content.load import decode_image, open_media  # noqa: E402
from seawall.content.ocr import RapidOcrReader, TesseractReader  # noqa: E402
from seawall.signals.image.nudity import NudeNetDetector, OpenNsfwClassifier  # noqa: E402
from seawall.signals.media import MediaJudge, media_signals  # noqa: E402
from seawall.types import Content  # noqa: E402
from tests.fixtures import media as fx  # noqa: E402

OUT = ROOT / "bench" / "out" / "media"
LIMITS = MediaLimits()

# Meme styles the OCR engines are compared on: (lines, where, fill, stroke, size, font px).
MEMES = [
    (["WHEN THE CODE", "FINALLY COMPILES"], ("top", "bottom"), (255, 255, 255), (0, 0, 0), (640, 480), None),
    (["I WILL FIND YOU", "AND I WILL KILL YOU"], ("top", "bottom"), (255, 255, 255), (0, 0, 0), (800, 800), None),
    (["nobody:", "me at 3am eating cereal"], ("top", "middle"), (20, 20, 20), (255, 255, 255), (640, 480), None),
    (["BUY CHEAP PILLS NOW", "VISIT SCAM DOT COM"], ("top", "bottom"), (255, 230, 0), (0, 0, 0), (720, 720), None),
    (["you stupid idiot"], ("middle",), (255, 255, 255), (0, 0, 0), (1080, 1080), 40),
    (["Monday again", "send coffee"], ("top", "bottom"), (250, 250, 250), (40, 40, 40), (500, 500), 28),
    (["SMALL PRINT CAPTION HERE"], ("bottom",), (255, 255, 255), (0, 0, 0), (1280, 720), 22),
    (["this meme is about cats", "and dogs too"], ("top", "bottom"), (0, 0, 0), (255, 255, 255), (640, 640), None),
]


def memes() -> list[tuple[np.ndarray, list[str]]]:
    out = []
    for i, (lines, where, fill, stroke, size, px) in enumerate(MEMES):
        img = fx.background(*size, seed=100 + i)
        for line, pos in zip(lines, where):
            fx.draw_caption(img, line, where=pos, size=px, fill=fill, stroke=stroke)
        out.append((np.asarray(img), lines))
    return out


def per_second(fn, items, repeat: int = 1) -> float:
    fn(items[0])  # warm: first calls pay for graph optimisation and allocation
    start = time.perf_counter()
    for _ in range(repeat):
        for it in items:
            fn(it)
    return repeat * len(items) / (time.perf_counter() - start)


def word_recall(reader, cases) -> tuple[float, float]:
    found = total = exact = 0
    for rgb, lines in cases:
        read = reader.read(rgb)
        got = " ".join(l.text for l in read).lower().split()
        want = " ".join(lines).lower().split()
        total += len(want)
        found += sum(1 for w in want if w in got)
        exact += sorted(l.text.lower() for l in read) == sorted(x.lower() for x in lines)
    return found / total, exact / len(cases)


def bench_images(rows: list[str], quick: bool) -> None:
    cases = memes()
    rgbs = [c[0] for c in cases]
    encoded = [fx.encode(Image.fromarray(r), "JPEG") for r in rgbs]
    rep = 1 if quick else 3
    rows.append("| image signal | model | images/s | notes |")
    rows.append("|---|---|---:|---|")
    rows.append(f"| decode (baseline) | Pillow JPEG | {per_second(lambda b: decode_image(b, limits=LIMITS, max_side=1280), encoded, rep):.1f} | header check + decode |")
    rows.append(f"| pdq | pdqhash | {per_second(pdq, rgbs, rep):.1f} | |")
    nude = NudeNetDetector()
    rows.append(f"| nudity boxes | {nude.name} | {per_second(nude.detect, rgbs, rep):.1f} | AGPL-3.0 weights |")
    nsfw = OpenNsfwClassifier()
    rows.append(f"| nsfw score | {nsfw.name} | {per_second(nsfw.score, rgbs, rep):.1f} | BSD-2 weights |")
    readers = [RapidOcrReader(), RapidOcrReader(det_max_side=480)]
    if _have("tesseract"):
        readers += [TesseractReader(), TesseractReader(bright_pass=False)]
    for reader in readers:
        rate = per_second(reader.read, rgbs)
        recall, exact = word_recall(reader, cases)
        label = reader.name + (f" det≤{reader.det_max_side}" if isinstance(reader, RapidOcrReader) else
                               ("" if reader.bright_pass else " (grey pass only)"))
        rows.append(f"| ocr | {label} | {rate:.1f} | word recall {recall:.0%}, lines exact {exact:.0%} on {len(cases)} memes |")


def _have(binary: str) -> bool:
    import shutil
    return shutil.which(binary) is not None


def make_clip(height: int, seconds: float) -> Path:
    width = height * 16 // 9
    path = OUT / f"clip_{height}p_{int(seconds)}s.mp4"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    sentences = ["welcome back to my channel", "today we are cooking pasta",
                 "first boil the water", "add a pinch of salt", "I will kill you",
                 "stir it for ten minutes", "now taste the sauce", "thanks for watching"]
    speech = [(0.5 + i * seconds / len(sentences), s) for i, s in enumerate(sentences)] if fx.have_espeak() else None
    captions = [(t, t + 2.5, s.upper()) for t, s in (speech or [])]
    fx.video_file(path, duration=seconds, size=(width, height), fps=30, scenes=6,
                  captions=captions, speech_parts=speech)
    return path


def bench_video(rows: list[str], quick: bool, judge: MediaJudge) -> None:
    seconds = 20.0 if quick else 60.0
    stages = ["decode", "decode_sample", "decode_vpdq", "nudity", "nsfw", "ocr", "asr", "classify"]
    rows.append("| clip | frames sampled | wall s | video s per wall s | " +
                " | ".join(f"{s} s" for s in stages) + " |")
    rows.append("|---|---:|---:|---:|" + "---:|" * len(stages))
    for height in (720, 1080):
        clip = make_clip(height, seconds)
        with open_media(str(clip), "video", limits=LIMITS) as media:
            start = time.perf_counter()
            decode_media(media, limits=LIMITS, sampler=judge.video.sampler, want_audio=True)
            base = time.perf_counter() - start
        rows.append(f"| {height}p {seconds:g}s decode only (baseline) | – | {base:.2f} | {seconds / base:.1f} | "
                    + " | ".join("" for _ in stages) + " |")
        start = time.perf_counter()
        sigs = media_signals(Content(id="b", video=str(clip)),
                             text_classifier=fx.fake_classify_texts, judge=judge)
        wall = time.perf_counter() - start
        meta = next(s.meta for s in sigs if s.source == "video.hash.v1")
        t = meta["timings"]
        rows.append(f"| {height}p {seconds:g}s full | {meta['frames_sampled']} | {wall:.2f} | {seconds / wall:.1f} | "
                    + " | ".join(f"{t.get(s, 0.0):.2f}" for s in stages) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20 s clips, one pass over the memes")
    ap.add_argument("--write", action="store_true", help="also write bench/media/RESULTS.md")
    args = ap.parse_args()
    judge = MediaJudge()
    judge.warm()
    load = os.getloadavg()[0]
    rows = [f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f} at start "
            f"(other work on the box slows every figure), Python {platform.python_version()}; "
            f"models warm; text classifier: keyword stand-in (its cost is the text bench's).", ""]
    bench_images(rows, args.quick)
    rows.append("")
    bench_video(rows, args.quick, judge)
    table = "\n".join(rows)
    print(table)
    if args.write:
        (Path(__file__).parent / "RESULTS.md").write_text(
            "# Media bench results\n\n`PYTHONPATH=src python bench/media/run.py --write`\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
