"""The contract every HashIndex meets, checked against the brute-force LinearIndex."""

from __future__ import annotations

import numpy as np

from seawall.banks.index import load_index
from seawall.banks.index.linear import LinearIndex


def random_codes(rng, n: int, nbytes: int = 32) -> np.ndarray:
    return rng.integers(0, 256, (n, nbytes), dtype=np.uint8)


def near(rng, code: np.ndarray, d: int) -> np.ndarray:
    bits = np.unpackbits(code)
    bits[rng.choice(bits.size, d, replace=False)] ^= 1
    return np.packbits(bits)


def same(a, b) -> bool:
    return all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) for x, y in zip(a, b))


def check_index(make, tmp_path, *, n: int = 3000, distances=(0, 8, 31), nbytes: int = 32,
                exact_only: bool = False, seed: int = 0) -> None:
    """Raise AssertionError on the first broken promise of the index `make()` builds."""
    rng = np.random.default_rng(seed)
    codes = random_codes(rng, n, nbytes)
    ids = np.arange(n, dtype=np.int64) * 7 + 3
    index, ref = make(), LinearIndex(nbytes)
    assert len(index) == 0
    assert all(len(h[0]) == 0 for h in index.search(codes[:3], max(distances)))
    for part in np.array_split(np.arange(n), 5):  # several adds, as a bank grows
        index.add(ids[part], codes[part])
        ref.add(ids[part], codes[part])
    assert len(index) == n
    targets = rng.integers(0, n, 60)
    flips = [0] * 60 if exact_only else rng.integers(0, max(distances) + 1, 60)
    queries = np.stack([near(rng, codes[t], int(f)) for t, f in zip(targets, flips)])
    queries = np.concatenate([queries, random_codes(rng, 20, nbytes)])
    for d in distances:
        got = index.search(queries, d)
        assert same(got, ref.search(queries, d)), f"differs from brute force at distance {d}"
        assert same([index.search(q[None], d)[0] for q in queries[:10]], got[:10])
        assert same(index.search(queries[:3], d), got[:3])  # a picture and its two edits
    # Planted copies are found with their true distance.
    got = index.search(queries[:60], max(distances))
    for (hit_ids, hit_d), t, f in zip(got, targets, flips):
        assert ids[t] in hit_ids and hit_d[list(hit_ids).index(ids[t])] == f
    # Removal takes effect at once; removing twice drops nothing more.
    gone = ids[targets[:20]]
    assert index.remove(gone) == len(np.unique(gone)) == ref.remove(gone)
    assert index.remove(gone) == 0
    assert not any(set(h[0]) & set(gone) for h in index.search(queries, max(distances)))
    assert same(index.search(queries, max(distances)), ref.search(queries, max(distances)))
    # A new hash matches at once.
    fresh = random_codes(rng, 1, nbytes)
    index.add(np.array([10**12]), fresh)
    assert list(index.search(fresh, 0)[0][0]) == [10**12]
    # Saved and loaded, it answers the same.
    index.save(tmp_path / "idx")
    loaded = load_index(tmp_path / "idx")
    assert len(loaded) == len(index)
    assert same(loaded.search(queries, max(distances)), index.search(queries, max(distances)))
    loaded.compact()
    assert same(loaded.search(queries, max(distances)), index.search(queries, max(distances)))
    assert index.memory_bytes() > 0
