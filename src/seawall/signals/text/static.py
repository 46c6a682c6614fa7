"""The English encoder distilled into a lookup table: the fast tier's view of words.

Every wordpiece of the fine-tuned English encoder's vocabulary was once run through the
encoder on its own (seawall.training.distill_static). Two tables came out of it:
  mean  its pooled embedding, on a few principal directions, weighted down when the
        token is common in the training text (a "the" says nothing);
  max   its head logits, standardized: what the encoder thinks of that word alone.
A text's features are the weighted mean of its tokens' `mean` rows (unit length, scaled)
and, per head, the largest `max` row among its tokens. Both are a lookup and a sum, no
transformer at run time, so the fast tier keeps its speed while words it never saw in
training (a new slur's synonym, a misspelling the wordpieces split) land near the words
the encoder learned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np

from seawall.errors import ModelMissing

FILE = "static.npz"
# Tokens past this many characters add nothing: the n-grams still read the whole text.
MAX_CHARS = 10_000


class StaticEmbeddings:
    def __init__(self, mean: np.ndarray, maxt: np.ndarray, tokenizer_file: Path,
                 mean_scale: float, max_scale: float, sha256: str = ""):
        self.mean = mean.astype(np.float32)
        self.maxt = maxt.astype(np.float32)
        self.mean_scale = float(mean_scale)
        self.max_scale = float(max_scale)
        self._tok_file = Path(tokenizer_file)
        # Which tables these are: a model's fast weights are only valid with the very
        # tables they were trained on, so a foundation is matched by this, not by shape.
        self.sha256 = sha256
        self._tok = None

    @classmethod
    def load(cls, folder: Path, cfg: dict) -> "StaticEmbeddings":
        path = Path(folder) / cfg.get("file", FILE)
        for need in (path, Path(folder) / cfg["tokenizer"]):
            if not need.exists():
                raise ModelMissing(f"{need} is missing: this text model's fast tier reads it")
        with np.load(path) as z:
            mean, maxt = z["mean"], z["max"]
        sha = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        return cls(mean, maxt, Path(folder) / cfg["tokenizer"], cfg["mean_scale"], cfg["max_scale"], sha)

    @property
    def dim(self) -> int:
        return self.mean.shape[1] + self.maxt.shape[1]

    def config(self, tokenizer: str) -> dict:
        return {"file": FILE, "tokenizer": tokenizer, "mean_dim": int(self.mean.shape[1]),
                "max_dim": int(self.maxt.shape[1]), "mean_scale": self.mean_scale, "max_scale": self.max_scale,
                "sha256": self.sha256}

    def _tokenizer(self):
        if self._tok is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self._tok_file))
            tok.no_truncation()
            tok.no_padding()
            self._unk = tok.token_to_id("[UNK]")
            self._tok = tok
        return self._tok

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's wordpieces, unknown ones dropped (a script the vocabulary lacks)."""
        enc = self._tokenizer().encode_batch([t[:MAX_CHARS] for t in texts], add_special_tokens=False)
        return [[i for i in e.ids if i != self._unk] for e in enc]

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """[n × dim] float32: the scaled unit mean block, then the max block (zeros for a
        text with no known token)."""
        ids = self.token_ids(texts)
        n = len(ids)
        lengths = np.array([len(t) for t in ids])
        flat = np.fromiter((i for t in ids for i in t), dtype=np.int64, count=int(lengths.sum()))
        out = np.zeros((n, self.dim), dtype=np.float32)
        has = np.flatnonzero(lengths > 0)
        if len(has) == 0:
            return out
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[has]
        d = self.mean.shape[1]
        # Sums and maxima over each text's run of tokens in the flat list.
        mean = np.add.reduceat(self.mean[flat], starts, axis=0)
        norm = np.linalg.norm(mean, axis=1, keepdims=True)
        out[has, :d] = self.mean_scale * mean / np.maximum(norm, 1e-6)
        out[has, d:] = self.max_scale * np.maximum.reduceat(self.maxt[flat], starts, axis=0)
        return out
