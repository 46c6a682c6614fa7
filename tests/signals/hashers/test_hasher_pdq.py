"""PDQ: bit-exact with the reference (python-threatexchange over Meta's C++), and robust."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from seawall.signals.hashers import get_hasher
from seawall.signals.hashers.conformance import check_hasher
from seawall.signals.hashers.pdq import PdqHasher

skdata = pytest.importorskip("skimage.data")
pdq_ref = pytest.importorskip("threatexchange.signal_type.pdq.pdq_hasher")

PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "rocket", "coins", "moon", "page")


def _png(name: str, mode: str | None = None) -> bytes:
    im = Image.fromarray(getattr(skdata, name)())
    if mode:
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name", PHOTOS)
def test_pdq_equals_reference_implementation(name, tmp_path):
    data = _png(name)
    path = tmp_path / f"{name}.png"
    path.write_bytes(data)
    ours = PdqHasher().hash_image(path)
    assert (ours.hex, ours.quality) == pdq_ref.pdq_from_file(path)
    assert (ours.hex, ours.quality) == pdq_ref.pdq_from_bytes(data)


def test_pdq_equals_reference_on_jpeg_and_gray(tmp_path):
    im = Image.fromarray(skdata.astronaut())
    for mode in ("L", "RGB"):
        path = tmp_path / f"a-{mode}.jpg"
        im.convert(mode).save(path, "JPEG", quality=80)
        ours = PdqHasher().hash_image(path)
        assert (ours.hex, ours.quality) == pdq_ref.pdq_from_file(path)


def test_pdq_of_array_equals_pdq_of_file(tmp_path):
    rgb = skdata.chelsea()
    path = tmp_path / "c.png"
    Image.fromarray(rgb).save(path)
    assert PdqHasher().hash_image(rgb) == PdqHasher().hash_image(path)


def test_pdq_hashes_resized_and_recompressed_copies_within_distance_31():
    h = PdqHasher()
    im = Image.fromarray(skdata.coffee())
    base = h.hash_image(im).hex
    small = im.resize((im.width // 3, im.height // 3), Image.BILINEAR)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=40)
    assert h.distance(base, h.hash_image(buf.getvalue()).hex) <= 31


def test_pdq_unrelated_photos_are_far_apart():
    h = PdqHasher()
    hashes = [h.hash_image(getattr(skdata, n)()).hex for n in PHOTOS]
    dists = [h.distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(dists) > 31


def test_pdq_dihedral_catches_a_mirrored_copy():
    h = PdqHasher()
    rgb = skdata.astronaut()
    base = h.hash_image(rgb).hex
    flipped = h.hash_image(rgb[:, ::-1].copy()).hex
    assert h.distance(base, flipped) > 31
    assert min(h.distance(d.hex, base) for d in h.hash_dihedral(rgb[:, ::-1].copy())) <= 31


def test_pdq_bytes_of_a_flat_image_are_dropped_for_low_quality():
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (128, 128, 128)).save(buf, "PNG")
    assert PdqHasher().hash_bytes(buf.getvalue()) == []


def test_pdq_conforms_to_the_hasher_contract():
    examples = ["f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
                "E64CC9D91C623882F8D1F1D9A398E78C9F199B3BD83924F2B7E11E0BF861B064"]
    check_hasher(get_hasher("pdq"), examples, [_png("camera")])


def test_pdq_rejects_non_rgb_arrays():
    with pytest.raises(ValueError):
        PdqHasher().hash_image(np.zeros((8, 8, 4), np.float32))


def test_edit_hashes_leave_the_reference_hash_alone_and_name_each_edit(tmp_path):
    from seawall.signals.hashers.pdq_variants import BANK_EDITS, QUERY_EDITS

    h = PdqHasher()
    path = tmp_path / "coffee.png"
    Image.fromarray(skdata.coffee()).save(path)
    bank, query = h.bank_hashes(path), h.query_hashes(path)
    assert set(bank) == set(BANK_EDITS) and set(query) == set(QUERY_EDITS)
    assert (h.hash_image(path).hex, h.hash_image(path).quality) == pdq_ref.pdq_from_file(path)
    # A query's mirror is the hash of the mirrored picture, which the bank's mirror matches.
    mirrored = h.hash_image(np.ascontiguousarray(skdata.coffee()[:, ::-1])).hex
    assert query["mirror"] == mirrored and h.distance(bank["mirror"], mirrored) == 0


def test_edits_too_flat_to_hash_are_left_out():
    # Detail only in the top 12%: the middle band and the deeper crops see a flat grey.
    picture = np.full((200, 300, 3), 90, np.uint8)
    picture[:24] = np.random.default_rng(0).integers(0, 256, (24, 300, 1), dtype=np.uint8)
    h = PdqHasher()
    assert h.hash_image(picture).quality >= h.quality_threshold
    bank = h.bank_hashes(picture)
    assert "mirror" in bank and "crop96" in bank
    assert "middle" not in bank and "crop80" not in bank
    assert set(h.query_hashes(picture)) == {"mirror"}
