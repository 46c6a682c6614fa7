"""faiss's binary indexes on the same workload, to show why banks use their own MIH index.

    PYTHONPATH=src python bench/hashing/alternatives.py --size 1000000 [--hnsw]

Planted copies sit at exactly distance 31 (the bank default), the worst case.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--hnsw", action="store_true", help="also IndexBinaryHNSW (minutes to build)")
    args = p.parse_args()
    import faiss

    from seawall.banks.index.mih import MIHIndex

    faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    xb = rng.integers(0, 256, (args.size, 32), dtype=np.uint8)
    tgt = rng.integers(0, args.size, args.queries)
    xq = np.empty((args.queries, 32), np.uint8)
    for i, t in enumerate(tgt):
        bits = np.unpackbits(xb[t])
        bits[rng.choice(256, 31, replace=False)] ^= 1
        xq[i] = np.packbits(bits)
    rows = []

    def rec(lims, ids):
        return np.mean([t in ids[lims[i]:lims[i + 1]] for i, t in enumerate(tgt)])

    def timed(name, build, search):
        t = time.perf_counter()
        index = build()
        b = time.perf_counter() - t
        t = time.perf_counter()
        r = search(index)
        s = time.perf_counter() - t
        rows.append((name, b, args.queries / s, r))

    timed("seawall MIH (16 x 16-bit keys, 40-bit sketch)",
          lambda: _mih(MIHIndex, xb),
          lambda ix: np.mean([t in h[0] for t, h in zip(tgt, ix.search(xq, 31))]))

    def mih_faiss():
        ix = faiss.IndexBinaryMultiHash(256, 16, 16)
        ix.add(xb)
        ix.nflip = 1
        return ix
    timed("faiss IndexBinaryMultiHash(16, 16), nflip=1 (HMA's)", mih_faiss,
          lambda ix: rec(*ix.range_search(xq, 32)[::2]))
    nlist = 4096
    t = time.perf_counter()
    ivf = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(256), 256, nlist)
    ivf.train(xb[:nlist * 40])
    ivf.add(xb)
    ivf_build = time.perf_counter() - t
    for nprobe in (32, 128, 512):
        ivf.nprobe = nprobe
        timed(f"faiss IndexBinaryIVF nlist={nlist} nprobe={nprobe}", lambda: ivf,
              lambda ix: rec(*ix.range_search(xq, 32)[::2]))
        rows[-1] = (rows[-1][0], ivf_build, rows[-1][2], rows[-1][3])
    if args.hnsw:
        def hnsw():
            ix = faiss.IndexBinaryHNSW(256, 16)
            ix.add(xb)
            ix.hnsw.efSearch = 256
            return ix
        timed("faiss IndexBinaryHNSW M=16 efSearch=256", hnsw,
              lambda ix: np.mean(ix.search(xq, 1)[1][:, 0] == tgt))
    print(f"{args.size:,} random PDQ-sized hashes, {args.queries} queries at distance 31\n")
    print("| index | build (s) | lookups/s (batched) | recall at d=31 |\n|---|---|---|---|")
    for name, b, qps, r in rows:
        print(f"| {name} | {b:.1f} | {qps:,.0f} | {r:.1%} |")


def _mih(cls, xb):
    ix = cls()
    ix.add_bulk(np.arange(len(xb)), xb)
    return ix


if __name__ == "__main__":
    main()
