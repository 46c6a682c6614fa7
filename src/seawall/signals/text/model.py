"""The trained text model on disk: fast-tier weights, encoder-tier heads, calibration, bands.

Layout of a model folder (written by seawall.training.train, read here):
  manifest.json   heads, feature config, calibration curves, thresholds, cascade bands,
                  data hashes and metrics (plain JSON: no pickle, readable in review)
  fast.npz        W [heads × features] float16, b [heads]
  static.npz      the English encoder distilled into token tables, read by the fast
                  tier (seawall.signals.text.static), when the model has one
  encoder.npz     W [heads × dim] float32, b [heads], blend [heads × 3],
                  blend_en [heads × 4] (fast, e5, English encoder, bias) when english.* exist,
                  blend_mid [heads × 3] (fast, English encoder, bias): the English tier
  english.onnx    the fine-tuned English encoder (int8), english.json, english.tokenizer.json
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from seawall.errors import ModelMissing
from seawall.signals.text.english import EnglishEncoder
from seawall.signals.text.features import FastFeatures
from seawall.signals.text.normalize import Normalized, normalize

FORMAT_VERSION = 1


def model_view(text: str) -> Normalized:
    """The text as every tier sees it, in training and at run time alike: normalized,
    with stretched letters squeezed to one (kiiiill → kill)."""
    return normalize(text, stretch=1)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


@dataclass
class Curve:
    """A monotone calibration curve (isotonic regression fitted on held-out data)."""

    x: np.ndarray
    y: np.ndarray

    def __call__(self, p: np.ndarray) -> np.ndarray:
        return np.interp(p, self.x, self.y)

    def to_json(self) -> dict:
        return {"x": [round(float(v), 6) for v in self.x], "y": [round(float(v), 6) for v in self.y]}

    @classmethod
    def from_json(cls, d: dict) -> "Curve":
        return cls(np.asarray(d["x"], dtype=np.float64), np.asarray(d["y"], dtype=np.float64))


class TextModel:
    """Both tiers of one trained model. Scores come back calibrated, per head."""

    def __init__(self, folder: Path, manifest: dict, fast_W: np.ndarray, fast_b: np.ndarray,
                 enc_W: np.ndarray | None, enc_b: np.ndarray | None, blend: np.ndarray | None,
                 blend_en: np.ndarray | None = None, blend_mid: np.ndarray | None = None):
        self.folder = folder
        self.manifest = manifest
        self.version: str = manifest["version"]
        self.heads: list[str] = manifest["heads"]
        self.features = FastFeatures.from_config(folder, manifest["features"])
        # C-contiguous: scipy would otherwise copy the whole matrix on every product.
        self._fast_WT = np.ascontiguousarray(fast_W.T, dtype=np.float32)
        self._fast_b = fast_b.astype(np.float32)
        self._enc_WT = None if enc_W is None else np.ascontiguousarray(enc_W.T, dtype=np.float32)
        self._enc_b = enc_b
        self._blend = blend
        self._blend_en = blend_en
        self._blend_mid = blend_mid
        self.english = EnglishEncoder(folder) if blend_en is not None and EnglishEncoder.present(folder) else None
        # Column of each of our heads in the English encoder's output (-1: it has none).
        self._en_cols = (np.array([self.english.heads.index(h) if h in self.english.heads else -1
                                   for h in self.heads]) if self.english else None)
        cal = manifest.get("calibration", {})
        self.fast_curves = {h: Curve.from_json(c) for h, c in cal.get("fast", {}).items()}
        self.final_curves = {h: Curve.from_json(c) for h, c in cal.get("final", {}).items()}
        self.final_en_curves = {h: Curve.from_json(c) for h, c in cal.get("final_en", {}).items()}
        self.mid_curves = {h: Curve.from_json(c) for h, c in cal.get("mid_en", {}).items()}
        self.thresholds: dict[str, float] = manifest.get("thresholds", {})
        self.bands: dict[str, list[float]] = manifest.get("bands", {})
        # The English tier's own bands: an English text the fast tier could not settle is
        # settled by the fast tier and the English encoder together when every head lies
        # outside these; only the rest pays for the (ten times slower) multilingual encoder.
        self.mid_bands: dict[str, list[float]] = manifest.get("mid_bands", {})
        # Languages whose texts the fast tier may settle (None: any). The bands were fitted
        # and measured on held-out rows of these languages only; in others the fast tier's
        # competence is unknown, so their texts always go on to the multilingual encoder.
        langs = manifest.get("fast_languages")
        self.fast_languages: frozenset[str] | None = frozenset(langs) if langs is not None else None

    @property
    def has_encoder(self) -> bool:
        return self._enc_WT is not None

    @property
    def has_english_tier(self) -> bool:
        return self.english is not None and self._blend_mid is not None and bool(self.mid_bands)

    @classmethod
    def load(cls, folder: Path) -> "TextModel":
        folder = Path(folder)
        mf = folder / "manifest.json"
        if not mf.exists():
            raise ModelMissing(f"no text model at {folder} (run `seawall train`)")
        manifest = json.loads(mf.read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise ModelMissing(f"text model format {manifest.get('format')} at {folder}; "
                               f"this Seawall reads format {FORMAT_VERSION}")
        with np.load(folder / "fast.npz") as z:
            fast_W, fast_b = z["W"], z["b"]
        enc_W = enc_b = blend = blend_en = blend_mid = None
        if (folder / "encoder.npz").exists():
            with np.load(folder / "encoder.npz") as z:
                enc_W, enc_b, blend = z["W"], z["b"], z["blend"]
                blend_en = z["blend_en"] if "blend_en" in z.files else None
                blend_mid = z["blend_mid"] if "blend_mid" in z.files else None
        return cls(folder, manifest, fast_W, fast_b, enc_W, enc_b, blend, blend_en, blend_mid)

    def fast_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """[features × heads] and [heads] (a foundation for another model's heads)."""
        return self._fast_WT, self._fast_b

    def encoder_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """[dim × heads] and [heads] of the encoder-tier heads."""
        if self._enc_WT is None:
            raise ModelMissing("this text model has no encoder tier")
        return self._enc_WT, np.asarray(self._enc_b, dtype=np.float32)

    # -- the fast tier ------------------------------------------------------------------
    def fast_logits(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self._fast_WT) + self._fast_b

    def fast_scores(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated fast-tier probabilities, [n × heads]."""
        return self._calibrated(logits, self.fast_curves)

    # -- the encoder tier ---------------------------------------------------------------
    def encoder_logits(self, E: np.ndarray) -> np.ndarray:
        if self._enc_WT is None:
            raise ModelMissing("this text model has no encoder tier")
        return E @ self._enc_WT + self._enc_b

    def english_logits(self, texts) -> np.ndarray:
        """[n × our heads] logits from the English encoder (0 where it has no such head)."""
        z = self.english.logits(texts)
        out = np.zeros((len(texts), len(self.heads)), dtype=np.float32)
        have = self._en_cols >= 0
        out[:, have] = z[:, self._en_cols[have]]
        return out

    def final_scores(self, fast_logits: np.ndarray, enc_logits: np.ndarray,
                     en_logits: np.ndarray | None = None) -> np.ndarray:
        """Blend the tiers' logits per head (weights fitted on held-out data), calibrate.
        English texts (en_logits given) use the blend that includes the English encoder."""
        if en_logits is not None:
            B = self._blend_en
            z = B[:, 0] * fast_logits + B[:, 1] * enc_logits + B[:, 2] * en_logits + B[:, 3]
            return self._calibrated(z, self.final_en_curves)
        z = self._blend[:, 0] * fast_logits + self._blend[:, 1] * enc_logits + self._blend[:, 2]
        return self._calibrated(z, self.final_curves)

    def english_tier_scores(self, fast_logits: np.ndarray, en_logits: np.ndarray) -> np.ndarray:
        """The English tier: the fast tier and the English encoder blended, calibrated."""
        B = self._blend_mid
        return self._calibrated(B[:, 0] * fast_logits + B[:, 1] * en_logits + B[:, 2], self.mid_curves)

    def _calibrated(self, z: np.ndarray, curves: dict) -> np.ndarray:
        raw = sigmoid(z)
        out = np.empty_like(raw)
        for j, h in enumerate(self.heads):
            curve = curves.get(h)
            out[:, j] = curve(raw[:, j]) if curve else raw[:, j]
        return out
