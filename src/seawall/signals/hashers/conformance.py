"""A conformance check every hasher runs in its tests, so banks can rely on the interface."""

from __future__ import annotations

from seawall.errors import InvalidInput
from seawall.signals.hashers.base import Hasher


def check_hasher(hasher: Hasher, examples: list[str], media: list[bytes] = ()) -> None:
    """Raise AssertionError naming the first broken promise of `hasher`.

    `examples` are valid written hashes; `media` are files the hasher can hash.
    """
    if not examples:
        raise AssertionError("give at least one example hash")
    if hasher.metric not in ("hamming", "exact", "frames"):
        raise AssertionError(f"unknown metric {hasher.metric!r}")
    if not 0 <= hasher.default_distance <= hasher.max_distance:
        raise AssertionError("default_distance must lie within 0..max_distance")
    for ex in examples:
        canon = hasher.canonical(ex)
        if hasher.canonical(canon) != canon:
            raise AssertionError(f"canonical form is not stable for {ex!r}")
        if hasher.canonical(ex.upper() if hasher.metric != "frames" else ex) != canon:
            raise AssertionError("hex case must not change a hash")
        if hasher.format(hasher.parse(ex)) != canon:
            raise AssertionError("format(parse(x)) must be the canonical form")
        if hasher.metric != "frames" and hasher.distance(ex, canon) != 0:
            raise AssertionError("a hash must be at distance 0 from itself")
    bad = ["", "zz", "0" * 7, examples[0] + "0", examples[0][:-1] + "g", "not a hash"]
    for value in bad:
        try:
            hasher.parse(value)
        except InvalidInput:
            continue
        raise AssertionError(f"parse accepted the malformed hash {value!r}")
    for data in media:
        first, second = hasher.hash_bytes(data), hasher.hash_bytes(data)
        if first != second:
            raise AssertionError("hashing the same bytes twice gave different hashes")
        for h in first:
            if hasher.canonical(h) != h:
                raise AssertionError("hash_bytes must return canonical hashes")
