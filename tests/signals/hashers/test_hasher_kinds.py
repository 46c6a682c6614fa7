"""MD5/SHA-256, near-duplicate text and vPDQ hashers, and the kind registry."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from seawall.errors import InvalidInput
from seawall.signals.hashers import KINDS, get_hasher, kind_from_te_name
from seawall.signals.hashers.conformance import check_hasher
from seawall.signals.hashers.text import TextMinHasher, simple_normalize
from seawall.signals.hashers.vpdq import VpdqFrame, VpdqHasher

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"
SPAM = "Get 10,000 real followers today!! Visit cheap-followers dot shop and use code WIN50"


def test_unknown_kind_lists_valid_ones():
    with pytest.raises(InvalidInput, match="pdq, vpdq, md5, sha256, text"):
        get_hasher("phash")


def test_threatexchange_names_map_to_kinds():
    assert kind_from_te_name("pdq") == "pdq"
    assert kind_from_te_name("video_md5") == "md5"
    assert kind_from_te_name("HASH_SHA256") == "sha256"
    assert kind_from_te_name("tlsh") is None


@pytest.mark.parametrize("kind", ["md5", "sha256"])
def test_digest_hashers_match_hashlib_and_conform(kind):
    h = get_hasher(kind)
    data = b"known file bytes"
    assert h.hash_bytes(data) == [hashlib.new(kind, data).hexdigest()]
    check_hasher(h, [hashlib.new(kind, b"x").hexdigest()], [data])
    assert h.distance(h.hash_bytes(b"a")[0], h.hash_bytes(b"b")[0]) == 1


def test_text_hash_matches_an_edited_copy_and_not_unrelated_text():
    h = TextMinHasher()
    base = h.hash_text(SPAM)
    edited = h.hash_text("get 10000 REAL followers today! visit cheap-followers dot shop, code WIN50 ✨")
    disguised = h.hash_text("G3t 10,000 r3al f0llowers t0day!! Visit cheap-followers dot shop "
                            "and use code WIN50")
    unrelated = h.hash_text("The city council meets on Tuesday to discuss the new bike lanes.")
    assert h.distance(base, edited) <= h.default_distance
    assert h.distance(base, disguised) <= h.default_distance
    assert h.distance(base, unrelated) > 90


def test_text_hash_skips_texts_too_short_to_be_distinctive():
    assert TextMinHasher().hash_text("ok thanks") is None


def test_text_hash_is_stable_across_instances():
    assert TextMinHasher().hash_text(SPAM) == TextMinHasher().hash_text(SPAM)


def test_text_hash_works_without_the_text_normalizer():
    h = TextMinHasher(normalize=simple_normalize)
    assert h.distance(h.hash_text(SPAM), h.hash_text(SPAM.upper())) == 0


def test_text_hasher_conforms():
    h = get_hasher("text")
    check_hasher(h, [h.hash_text(SPAM)], [SPAM.encode()])


def _vpdq(frames):
    return json.dumps([f"{h},{q},{t:.3f}" for h, q, t in frames])


def test_vpdq_round_trips_the_threatexchange_format():
    v = VpdqHasher()
    s = _vpdq([(PDQ_A, 100, 0.0), (PDQ_B, 90, 1.0)])
    frames = v.parse_frames(s)
    assert frames == [VpdqFrame(PDQ_A, 100, 0.0), VpdqFrame(PDQ_B, 90, 1.0)]
    assert v.canonical(s) == s
    check_hasher(v, [s])


@pytest.mark.parametrize("bad", ["[]", "not json", json.dumps(["abc,1,0"]),
                                 json.dumps([f"{PDQ_A},101,0"]), json.dumps([f"{PDQ_A},50,-1"]),
                                 json.dumps([f"{PDQ_A},x,0"])])
def test_vpdq_rejects_malformed_hashes(bad):
    with pytest.raises(InvalidInput):
        VpdqHasher().parse_frames(bad)


def test_vpdq_match_percents_follow_the_reference_matcher():
    v = VpdqHasher()
    q = v.parse_frames(_vpdq([(PDQ_A, 100, 0), (PDQ_B, 100, 1), (PDQ_B, 100, 2), ("0" * 64, 100, 3)]))
    t = v.parse_frames(_vpdq([(PDQ_A, 100, 0), ("f" * 64, 100, 1)]))
    # Query: 3 distinct frames (the repeat counted once), one matches; target: 1 of 2.
    assert v.match_percents(q, t, 31) == pytest.approx((100 / 3, 50.0))


def test_vpdq_drops_low_quality_frames():
    v = VpdqHasher()
    frames = v.parse_frames(_vpdq([(PDQ_A, 10, 0), (PDQ_B, 80, 1)]))
    assert [f.pdq_hex for f in v.usable(frames)] == [PDQ_B]


def test_vpdq_hashes_one_frame_per_period():
    skdata = pytest.importorskip("skimage.data")
    img = skdata.astronaut()
    frames = [(t / 10, img) for t in range(25)]  # 2.5 s at 10 fps
    out = VpdqHasher(seconds_per_hash=1.0).hash_frames(frames)
    assert [f.timestamp for f in out] == [0.0, 1.0, 2.0]
    assert len({f.pdq_hex for f in out}) == 1


def test_every_kind_has_a_default_hasher():
    for kind in KINDS:
        h = get_hasher(kind)
        assert h.name == kind and 0 <= h.default_distance <= h.max_distance


def test_distance_is_hamming_for_perceptual_kinds():
    h = get_hasher("pdq")
    a = bytes.fromhex(PDQ_A)
    b = bytes(x ^ y for x, y in zip(a, bytes([0b101] + [0] * 31)))
    assert h.distance(PDQ_A, b.hex()) == 2
    assert np.unpackbits(np.frombuffer(a, np.uint8)).size == h.nbits
