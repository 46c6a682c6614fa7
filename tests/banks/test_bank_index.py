"""Every index matches the brute-force reference; MIH specifics (segments, sketch, disk)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from bank_index_contract import check_index, near, random_codes, same

from seawall.banks.index import load_index, store
from seawall.banks.index.exact import ExactIndex
from seawall.banks.index.linear import LinearIndex
from seawall.banks.index.mih import MIHIndex, sketch_threshold
from seawall.errors import InvalidInput


def test_linear_index_meets_the_contract(tmp_path):
    check_index(lambda: LinearIndex(32), tmp_path)


@pytest.mark.parametrize("exact", [False, True])
def test_mih_index_meets_the_contract(tmp_path, exact):
    # Small delta and segment thresholds so key tables, merges and the delta all take part.
    check_index(lambda: MIHIndex(delta_limit=500, mih_min=400, max_segments=3, exact=exact),
                tmp_path, distances=(0, 8, 15, 31, 40, 47, 60))


def test_exact_index_meets_the_contract(tmp_path):
    check_index(lambda: ExactIndex(16, delta_limit=700), tmp_path, nbytes=16, distances=(0,),
                exact_only=True)


def test_mih_finds_every_planted_copy_up_to_distance_31(tmp_path):
    rng = np.random.default_rng(7)
    codes = random_codes(rng, 40_000)
    index = MIHIndex(mih_min=1000)
    index.add_bulk(np.arange(len(codes)), codes)
    targets = rng.integers(0, len(codes), 400)
    queries = np.stack([near(rng, codes[t], 31) for t in targets])
    hits = index.search(queries, 31)
    assert all(t in h[0] for t, h in zip(targets, hits))


def test_mih_added_hashes_match_without_a_rebuild():
    rng = np.random.default_rng(1)
    index = MIHIndex(mih_min=1000, delta_limit=20_000)
    index.add_bulk(np.arange(50_000), random_codes(rng, 50_000))
    before = list(index.segment_sizes)
    new = random_codes(rng, 10_000)
    index.add(np.arange(10_000) + 10**9, new)
    assert index.segment_sizes[:-1] == before[:-1]  # the big segment was not rebuilt
    hits = index.search(np.stack([near(rng, c, 20) for c in new[:50]]), 31)
    assert all(10**9 + i in h[0] for i, h in enumerate(hits))


def test_mih_reports_a_hash_once_even_when_many_keys_match():
    index = MIHIndex(mih_min=10, delta_limit=10)
    codes = np.zeros((20, 32), np.uint8)
    codes[:, 0] = np.arange(20)
    index.add(np.arange(20), codes)
    ids, dist = index.search(codes[:1], 31)[0]
    assert sorted(ids.tolist()) == list(range(20))


def test_mih_returns_all_neighbours_when_there_are_very_many():
    index = MIHIndex(mih_min=10, delta_limit=100)
    codes = np.zeros((3000, 32), np.uint8)
    index.add(np.arange(3000), codes)  # 3000 copies of one hash: over the output buffer
    assert len(index.search(codes[:2], 0)[0][0]) == 3000


def test_sketch_threshold_grows_with_the_search_distance():
    ts = [sketch_threshold(d, 0, 1e-4) for d in (0, 10, 31, 47)]
    assert ts == sorted(ts) and ts[0] == 0 and ts[-1] < 40


def test_index_refuses_hashes_of_the_wrong_shape():
    for index in (LinearIndex(32), MIHIndex(), ExactIndex(16)):
        with pytest.raises(InvalidInput):
            index.add([1], np.zeros((1, 31), np.uint8))
        with pytest.raises(InvalidInput):
            index.add([1, 2], np.zeros((1, index.nbytes), np.uint8))


def test_index_on_disk_is_versioned_json_and_npy_without_pickle(tmp_path):
    index = MIHIndex(mih_min=10, delta_limit=50)
    index.add(np.arange(120), random_codes(np.random.default_rng(0), 120))
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == store.FORMAT and manifest["version"] == store.VERSION
    for f in tmp_path.glob("*.npy"):
        np.load(f, allow_pickle=False)  # raises if any array needed pickle


def test_index_of_a_newer_format_version_is_refused(tmp_path):
    LinearIndex(32).save(tmp_path)
    m = json.loads((tmp_path / "manifest.json").read_text())
    m["version"] = 99
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(InvalidInput, match="version 99"):
        load_index(tmp_path)


def test_saving_twice_drops_files_the_manifest_no_longer_names(tmp_path):
    rng = np.random.default_rng(0)
    index = MIHIndex(mih_min=10, delta_limit=50, max_segments=2)
    for i in range(6):
        index.add(np.arange(40) + 40 * i, random_codes(rng, 40))
        index.remove([40 * i])
        index.save(tmp_path)
    named = set()
    m = json.loads((tmp_path / "manifest.json").read_text())
    for s in m["segments"]:
        named |= set(s["files"].values())
    named |= set(m["delta"].values())
    assert {p.name for p in tmp_path.glob("*.npy")} == named
    q = random_codes(rng, 5)
    assert same(load_index(tmp_path).search(q, 40), index.search(q, 40))
