"""The embedding cache: what goes in comes back, even with two writers on one folder."""

from __future__ import annotations

import numpy as np

from seawall.training.embed_cache import EmbeddingCache


def _fake_encoder(seed: int):
    def encode(texts):
        # Deterministic per text, so any mix-up between texts shows.
        return np.array([[hash((t, seed)) % 997 / 997.0, len(t)] for t in texts], dtype=np.float32)
    return encode


def test_two_writers_on_one_folder_never_overwrite_each_other(tmp_path):
    a = EmbeddingCache(tmp_path, "enc", 2)
    b = EmbeddingCache(tmp_path, "enc", 2)  # opened before a writes: both start from zero shards
    ta, tb = [f"alpha {i}" for i in range(50)], [f"beta {i}" for i in range(70)]
    enc = _fake_encoder(1)
    ea = a.get(ta, enc, chunk=16)
    eb = b.get(tb, enc, chunk=16)
    np.testing.assert_allclose(ea, enc(ta), atol=1e-3)  # float16 storage
    np.testing.assert_allclose(a.get(ta, enc), enc(ta), atol=1e-3)  # a's own shards intact after b wrote
    fresh = EmbeddingCache(tmp_path, "enc", 2)
    calls = []
    got = fresh.get(ta + tb, lambda t: calls.append(t) or enc(t))
    assert calls == []  # everything was cached
    np.testing.assert_allclose(got, enc(ta + tb), atol=1e-3)
    assert not list(tmp_path.glob("enc/.tmp-*"))
