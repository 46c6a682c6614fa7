"""Read the words drawn into a picture (memes, overlay captions), each line with its box."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from seawall.errors import ModelMissing


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[float, float, float, float]   # x, y, w, h in the image's pixels
    confidence: float                         # the engine's own 0..1 confidence


class OcrReader(Protocol):
    name: str
    languages: tuple[str, ...]

    def read(self, rgb: np.ndarray) -> list[TextLine]: ...

    def warm(self) -> None: ...


def _threads(threads: int | None) -> int:
    return threads or min(4, os.cpu_count() or 1)


class RapidOcrReader:
    """RapidOCR 3 with the PP-OCRv6 small detector and recogniser it ships (Apache-2.0).

    The default: exact on outlined meme text in either polarity, and it reads Latin-script
    languages, Chinese and Japanese from one model. `det_max_side` trades speed for small text.
    """

    name = "rapidocr-3/PP-OCRv6-small"
    languages = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "vi", "id", "zh", "ja",
                 "latin-script")

    def __init__(self, *, det_max_side: int = 640, min_confidence: float = 0.5,
                 threads: int | None = None, model_dir: str | None = None):
        self.det_max_side = det_max_side
        self.min_confidence = min_confidence
        self.threads = _threads(threads)
        self.model_dir = model_dir
        self._engine = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._engine is None:
                try:
                    import rapidocr
                    from rapidocr import RapidOCR
                except ImportError as exc:
                    raise ModelMissing(f"OCR needs the rapidocr package: {exc}") from None
                models = Path(self.model_dir or Path(rapidocr.__file__).parent / "models")
                det, rec = models / "PP-OCRv6_det_small.onnx", models / "PP-OCRv6_rec_small.onnx"
                if not (det.is_file() and rec.is_file()):
                    # Refuse rather than let the library fetch models from the internet.
                    raise ModelMissing(f"RapidOCR models not found in {models}")
                self._engine = RapidOCR(params={
                    "Global.log_level": "error",
                    "Global.use_cls": False,  # captions are upright; saves a model pass
                    "Det.model_path": str(det), "Rec.model_path": str(rec),
                    "Det.limit_type": "max", "Det.limit_side_len": self.det_max_side,
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                })
        return self._engine

    def warm(self) -> None:
        self.read(np.full((64, 64, 3), 255, np.uint8))

    def read(self, rgb: np.ndarray) -> list[TextLine]:
        engine = self._load()
        # RapidOCR takes arrays as BGR.
        result = engine(np.ascontiguousarray(rgb[..., ::-1]))
        if result.boxes is None or result.txts is None:
            return []
        lines = []
        for poly, text, score in zip(result.boxes, result.txts, result.scores):
            text = text.strip()
            if not text or score < self.min_confidence:
                continue
            xs, ys = np.asarray(poly)[:, 0], np.asarray(poly)[:, 1]
            x0, y0 = float(max(0, xs.min())), float(max(0, ys.min()))
            lines.append(TextLine(text, (x0, y0, float(xs.max()) - x0, float(ys.max()) - y0),
                                  float(score)))
        return lines


class TesseractReader:
    """Tesseract 5 from the Debian package (`apt-get install tesseract-ocr`), Apache-2.0.

    Needs no Python package. Plain Tesseract misreads white outlined meme text on busy
    pictures, so it reads twice: the picture in grey, and a mask of its brightest pixels
    (where such captions live), keeping the more confident reading of each line.
    """

    name = "tesseract-5"

    def __init__(self, *, lang: str = "eng", psm: int = 11, min_confidence: float = 0.5,
                 bright_pass: bool = True, timeout_s: float = 30.0, binary: str = "tesseract"):
        self.lang, self.psm, self.min_confidence = lang, psm, min_confidence
        self.bright_pass, self.timeout_s, self.binary = bright_pass, timeout_s, binary
        self.languages = tuple(lang.split("+"))

    def warm(self) -> None:
        if shutil.which(self.binary) is None:
            raise ModelMissing("OCR with Tesseract needs the tesseract-ocr Debian package")

    def read(self, rgb: np.ndarray) -> list[TextLine]:
        from PIL import Image

        gray = np.asarray(Image.fromarray(rgb).convert("L"))
        passes = [gray]
        if self.bright_pass:
            passes.append(np.where(gray > 200, 0, 255).astype(np.uint8))
        best: list[TextLine] = []
        for img in passes:
            for line in self._tesseract(img):
                same = [i for i, b in enumerate(best) if _iou(b.box, line.box) > 0.5]
                if not same:
                    best.append(line)
                elif all(line.confidence > best[i].confidence for i in same):
                    best = [b for i, b in enumerate(best) if i not in same] + [line]
        return sorted(best, key=lambda l: (l.box[1], l.box[0]))

    def _tesseract(self, gray: np.ndarray) -> list[TextLine]:
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(gray).save(buf, format="PNG")
        # One OpenMP thread: Tesseract's threading is slower than none on small images.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            proc = subprocess.run([self.binary, "stdin", "stdout", "-l", self.lang, "--psm",
                                   str(self.psm), "tsv"], input=buf.getvalue(), env=env,
                                  capture_output=True, timeout=self.timeout_s)
        except FileNotFoundError:
            raise ModelMissing("OCR with Tesseract needs the tesseract-ocr Debian package") from None
        except subprocess.TimeoutExpired:
            return []
        return _tsv_lines(proc.stdout.decode(errors="replace"), self.min_confidence)


def _tsv_lines(tsv: str, min_conf: float) -> list[TextLine]:
    groups: dict[tuple, list[tuple[str, float, tuple[int, int, int, int]]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        conf = float(cols[10]) / 100
        if conf < 0:
            continue
        key = tuple(cols[1:5])  # page, block, paragraph, line
        box = tuple(int(c) for c in cols[6:10])
        groups.setdefault(key, []).append((cols[11].strip(), conf, box))
    lines = []
    for words in groups.values():
        conf = sum(w[1] for w in words) / len(words)
        if conf < min_conf:
            continue
        x0 = min(w[2][0] for w in words)
        y0 = min(w[2][1] for w in words)
        x1 = max(w[2][0] + w[2][2] for w in words)
        y1 = max(w[2][1] + w[2][3] for w in words)
        lines.append(TextLine(" ".join(w[0] for w in words), (x0, y0, x1 - x0, y1 - y0), conf))
    return lines


def _iou(a, b) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0
