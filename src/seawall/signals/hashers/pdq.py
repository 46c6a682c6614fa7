"""PDQ, Meta's perceptual photo hash, through its reference C++ (the pdqhash package)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seawall.signals.hashers.base import Hasher
from seawall.signals.hashers.pdq_variants import BANK_EDITS, QUERY_EDITS, Edit


@dataclass(frozen=True)
class PdqHash:
    hex: str
    quality: int  # 0..100; PDQ of a flat or tiny image is unreliable


class PdqHasher(Hasher):
    """256-bit PDQ. Hex is written bit 0 first, as python-threatexchange and HMA write it."""

    name = "pdq"
    metric = "hamming"
    nbits = 256
    te_names = ("pdq", "HASH_PDQ")

    def __init__(self, *, quality_threshold: int = 50, default_distance: int = 31,
                 max_distance: int = 64):
        # 31 is the threshold PDQ's authors call a confident match; 50 their quality floor.
        self.quality_threshold = quality_threshold
        self.default_distance = default_distance
        self.max_distance = max_distance

    def hash_image(self, image) -> PdqHash:
        """PDQ of a path, encoded bytes, a PIL image or an RGB/gray uint8 array."""
        import pdqhash

        vector, quality = pdqhash.compute(_pixels(image))
        return PdqHash(np.packbits(np.asarray(vector, np.uint8)).tobytes().hex(), int(quality))

    def hash_dihedral(self, image) -> list[PdqHash]:
        """PDQ of the image and its 7 rotations and mirror images (one pass: PDQ's DCT gives
        them cheaply). Matching any of them catches flipped or rotated copies."""
        import pdqhash

        vectors, quality = pdqhash.compute_dihedral(_pixels(image))
        return [PdqHash(np.packbits(np.asarray(v, np.uint8)).tobytes().hex(), int(quality))
                for v in vectors]

    def hash_edits(self, image, edits: dict[str, Edit]) -> dict[str, str]:
        """PDQ of edited copies of the image (see pdq_variants), by edit name. Copies too
        flat to hash reliably are left out. The image's own hash is not among them: it
        stays `hash_image`'s, bit-exact with the reference."""
        import pdqhash
        from PIL import Image

        im = Image.fromarray(_pixels(image))
        out = {}
        for name, edit in edits.items():
            vector, quality = pdqhash.compute(np.ascontiguousarray(np.asarray(edit(im))))
            if quality >= self.quality_threshold:
                out[name] = np.packbits(np.asarray(vector, np.uint8)).tobytes().hex()
        return out

    def bank_hashes(self, image) -> dict[str, str]:
        """Hashes of the edited copies a robust bank indexes beside a banked image's PDQ."""
        return self.hash_edits(image, BANK_EDITS)

    def query_hashes(self, image) -> dict[str, str]:
        """Hashes of the edited copies a query image is also matched by in robust banks."""
        return self.hash_edits(image, QUERY_EDITS)

    def hash_bytes(self, data: bytes) -> list[str]:
        h = self.hash_image(data)
        return [h.hex] if h.quality >= self.quality_threshold else []


def _pixels(image) -> np.ndarray:
    """Pixels as python-threatexchange's hasher hands them to PDQ, so hashes agree bit for bit."""
    from PIL import Image

    if isinstance(image, np.ndarray):
        array = image
    else:
        if isinstance(image, (str, Path)):
            image = Image.open(image)
        elif isinstance(image, (bytes, bytearray)):
            image = Image.open(io.BytesIO(image))
        if image.mode not in ("RGB", "L"):
            # threatexchange converts LA and I;16 only; other modes (P, RGBA, CMYK) would reach
            # PDQ with the wrong channel count there, so we convert them too.
            image = image.convert("RGB")
        array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"PDQ needs an RGB uint8 image, got shape {array.shape} {array.dtype}")
    return np.ascontiguousarray(array)
