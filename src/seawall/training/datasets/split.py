"""Deterministic train/dev/test assignment for sets that ship without an official split."""

from __future__ import annotations

import hashlib
import unicodedata

# Part of the hash input, so changing the scheme on purpose is one edit and never silent.
_SALT = b"seawall.split.v1\x00"


def text_key(text: str) -> str:
    """The identity of a text for splitting and deduplication.

    Case, Unicode form and whitespace runs are ignored so that a retweet with an extra
    space or a different capitalisation cannot sit in train while its twin is in test.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def hash_split(text: str, test: float = 0.1, dev: float = 0.1) -> str:
    """'test', 'dev' or 'train' for a text, the same on every machine and Python run.

    Uses SHA-256 rather than hash(), which is salted per process.
    """
    if test < 0 or dev < 0 or test + dev > 1:
        raise ValueError(f"split fractions must be >= 0 and sum to <= 1, got test={test} dev={dev}")
    digest = hashlib.sha256(_SALT + text_key(text).encode("utf-8")).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u < test:
        return "test"
    if u < test + dev:
        return "dev"
    return "train"
