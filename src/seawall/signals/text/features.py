"""Hashed character and word n-grams: the fast tier's features, with no vocabulary to store."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize


class NgramFeatures:
    """Character n-grams (inside word boundaries) catch misspellings and morphology in any
    script; word n-grams catch phrases. Hashing keeps the model a fixed size."""

    def __init__(self, bits: int = 18, char_range: tuple[int, int] = (2, 5),
                 word_range: tuple[int, int] = (1, 2)):
        self.bits = bits
        self.char_range = char_range
        self.word_range = word_range
        n = 2 ** bits
        self._char = HashingVectorizer(analyzer="char_wb", ngram_range=char_range, n_features=n,
                                       alternate_sign=False, norm=None, lowercase=False)
        self._word = HashingVectorizer(analyzer="word", ngram_range=word_range, n_features=n,
                                       alternate_sign=False, norm=None, lowercase=False,
                                       token_pattern=r"(?u)\b\w+\b")

    @property
    def dim(self) -> int:
        return 2 * 2 ** self.bits

    def config(self) -> dict:
        return {"bits": self.bits, "char_range": list(self.char_range), "word_range": list(self.word_range)}

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        X = sp.hstack([self._char.transform(texts), self._word.transform(texts)], format="csr")
        X.data = np.log1p(X.data)  # sublinear term frequency: repetition is not evidence
        return l2_normalize(X, copy=False).astype(np.float32)


class FastFeatures:
    """What the fast tier reads: the hashed n-grams, and where the model has one, the
    distilled English encoder's static block (seawall.signals.text.static) after them."""

    def __init__(self, ngrams: NgramFeatures, static=None, tokenizer: str = ""):
        self.ngrams = ngrams
        self.static = static
        self.tokenizer = tokenizer

    @classmethod
    def from_config(cls, folder, cfg: dict) -> "FastFeatures":
        ngrams = NgramFeatures(bits=int(cfg["bits"]), char_range=tuple(cfg["char_range"]),
                               word_range=tuple(cfg["word_range"]))
        if not cfg.get("static"):
            return cls(ngrams)
        from seawall.signals.text.static import StaticEmbeddings

        return cls(ngrams, StaticEmbeddings.load(folder, cfg["static"]), cfg["static"]["tokenizer"])

    @property
    def dim(self) -> int:
        return self.ngrams.dim + (self.static.dim if self.static is not None else 0)

    def config(self) -> dict:
        cfg = self.ngrams.config()
        if self.static is not None:
            cfg["static"] = self.static.config(self.tokenizer)
        return cfg

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        X = self.ngrams.transform(texts)
        if self.static is None:
            return X
        return sp.hstack([X, sp.csr_matrix(self.static.transform(texts))], format="csr")
