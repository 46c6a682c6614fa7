"""MD5 and SHA-256 of media bytes: exact copies, the hashes most industry lists share."""

from __future__ import annotations

import hashlib

from seawall.signals.hashers.base import Hasher


class DigestHasher(Hasher):
    """A cryptographic digest; two files match only when every byte is the same."""

    metric = "exact"
    default_distance = 0
    max_distance = 0

    def __init__(self, name: str, *, te_names: tuple[str, ...] = ()):
        if name not in hashlib.algorithms_guaranteed:
            raise ValueError(f"unknown digest {name!r}")
        self.name = name
        self.nbits = hashlib.new(name).digest_size * 8
        self.te_names = te_names or (name,)

    def hash_bytes(self, data: bytes) -> list[str]:
        return [hashlib.new(self.name, data).hexdigest()]


def md5() -> DigestHasher:
    return DigestHasher("md5", te_names=("md5", "video_md5", "HASH_MD5", "HASH_VIDEO_MD5"))


def sha256() -> DigestHasher:
    return DigestHasher("sha256", te_names=("sha256", "video_sha256", "HASH_SHA256",
                                            "HASH_VIDEO_SHA256"))
