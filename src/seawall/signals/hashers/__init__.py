"""Hashers: the signal types banks match (PDQ, vPDQ, MD5, SHA-256, near-duplicate text)."""

from __future__ import annotations

from seawall.errors import InvalidInput
from seawall.signals.hashers.base import Hasher
from seawall.signals.hashers.exact import DigestHasher, md5, sha256
from seawall.signals.hashers.pdq import PdqHash, PdqHasher
from seawall.signals.hashers.text import TextMinHasher
from seawall.signals.hashers.vpdq import VpdqFrame, VpdqHasher

__all__ = ["Hasher", "DigestHasher", "PdqHash", "PdqHasher", "TextMinHasher", "VpdqFrame",
           "VpdqHasher", "KINDS", "get_hasher", "kind_from_te_name"]

KINDS = ("pdq", "vpdq", "md5", "sha256", "text")

_FACTORIES = {"pdq": PdqHasher, "vpdq": VpdqHasher, "md5": md5, "sha256": sha256,
              "text": TextMinHasher}
_DEFAULTS: dict[str, Hasher] = {}


def get_hasher(kind: str) -> Hasher:
    """The default-configured hasher of a bank kind; unknown kinds list the valid ones."""
    if kind not in _FACTORIES:
        raise InvalidInput(f"unknown hash kind {kind!r}; valid: {', '.join(KINDS)}")
    if kind not in _DEFAULTS:
        _DEFAULTS[kind] = _FACTORIES[kind]()
    return _DEFAULTS[kind]


def kind_from_te_name(name: str) -> str | None:
    """Our kind for a python-threatexchange / HMA signal type name (pdq, video_md5, ...)."""
    for kind in KINDS:
        if name in get_hasher(kind).te_names:
            return kind
    return None
