"""PDQ bank scale: Seawall's index against python-threatexchange's PDQ index (what HMA uses).

Random 256-bit hashes stand in for a bank (the hardest case for any index: no clusters).
Half the queries are planted near-copies of bank entries at distances 0..31 (a quarter
exactly at 31, the worst case), half unrelated. Each index is built and queried in its
own process so its memory (RSS) is its own. Recall is against faiss's exhaustive
IndexBinaryFlat, an independent brute force.

    PYTHONPATH=src python bench/hashing/bench.py --sizes 100000 --queries 500     # quick
    PYTHONPATH=src python bench/hashing/bench.py --sizes 1000000,10000000 --write  # the table
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "hashing"


def bank(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, 32), np.uint8)
    for i in range(0, n, 1_000_000):  # in blocks: one 10M draw would double peak memory
        out[i:i + 1_000_000] = rng.integers(0, 256, (min(1_000_000, n - i), 32), dtype=np.uint8)
    return out


def queries(codes: np.ndarray, q: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(queries, planted target row or -1, planted distance)."""
    rng = np.random.default_rng(seed)
    half = q // 2
    targets = rng.integers(0, len(codes), half)
    dist = rng.integers(0, 32, half)
    dist[: half // 4] = 31
    planted = np.empty((half, 32), np.uint8)
    for i, (t, d) in enumerate(zip(targets, dist)):
        bits = np.unpackbits(codes[t])
        bits[rng.choice(256, d, replace=False)] ^= 1
        planted[i] = np.packbits(bits)
    unrelated = rng.integers(0, 256, (q - half, 32), dtype=np.uint8)
    return (np.concatenate([planted, unrelated]), np.concatenate([targets, -np.ones(q - half, int)]),
            np.concatenate([dist, -np.ones(q - half, int)]))


def rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def truth(n: int, q: int, threads: int) -> list[list[int]]:
    """Every bank row within 31 of each query, by faiss's exhaustive scan (cached on disk)."""
    path = OUT / f"truth-{n}-{q}.json"
    if path.exists():
        return json.loads(path.read_text())
    import faiss

    faiss.omp_set_num_threads(threads)
    codes = bank(n)
    qs, _, _ = queries(codes, q)
    index = faiss.IndexBinaryFlat(256)
    index.add(codes)
    lims, _, ids = index.range_search(qs, 32)
    out = [sorted(ids[lims[i]:lims[i + 1]].tolist()) for i in range(q)]
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out


def _latencies(fn, qs: np.ndarray, limit: int) -> tuple[float, float, list]:
    lat, results = [], []
    for q in qs[:limit]:
        t = time.perf_counter()
        results.append(fn(q))
        lat.append(time.perf_counter() - t)
    lat = np.array(lat) * 1e3
    return float(np.percentile(lat, 50)), float(np.percentile(lat, 99)), results


def worker_seawall(n: int, q: int, threads: int) -> dict:
    import numba

    from seawall.banks.index.mih import MIHIndex

    numba.set_num_threads(threads)
    codes = bank(n)
    qs, _, _ = queries(codes, q)
    warm = MIHIndex(mih_min=10)  # compile (or load the compiled cache) outside the timings
    warm.add(np.arange(100), codes[:100])
    warm.search(qs[:2], 31), warm.search(qs[:1], 31)
    base = rss()
    t = time.perf_counter()
    index = MIHIndex()
    index.add_bulk(np.arange(n), codes)
    build = time.perf_counter() - t
    del codes
    p50, p99, single = _latencies(lambda x: index.search(x[None], 31)[0][0].tolist(), qs, q)
    t = time.perf_counter()
    batch = index.search(qs, 31)
    batch_s = time.perf_counter() - t
    mem = rss() - base
    # Incremental: 10,000 new hashes, then look each up.
    new = np.random.default_rng(9).integers(0, 256, (10_000, 32), dtype=np.uint8)
    t = time.perf_counter()
    index.add(np.arange(n, n + 10_000), new)
    added = index.search(new, 0)
    incr = time.perf_counter() - t
    incr_ok = all(len(h[0]) >= 1 and h[0][0] == n + i for i, h in enumerate(added))
    # Save and load (memory-mapped) to time the versioned on-disk format.
    import tempfile

    with tempfile.TemporaryDirectory(dir=OUT) as d:
        t = time.perf_counter()
        index.save(Path(d))
        save_s = time.perf_counter() - t
        from seawall.banks.index import load_index

        t = time.perf_counter()
        loaded = load_index(Path(d))
        loaded.search(qs[:1], 31)
        load_s = time.perf_counter() - t
        disk = sum(f.stat().st_size for f in Path(d).iterdir())
    return {"impl": "seawall-mih", "n": n, "build_s": build, "p50_ms": p50, "p99_ms": p99,
            "seq_qps": q / _total(lambda x: index.search(x[None], 31), qs),
            "batch_qps": q / batch_s, "rss_mb": mem / 2**20,
            "index_mb": index.memory_bytes() / 2**20,
            "results": [h[0].tolist() for h in batch], "single": single,
            "incr_s": incr, "incr_ok": incr_ok, "save_s": save_s, "load_s": load_s,
            "disk_mb": disk / 2**20}


def worker_service(n: int, q: int, threads: int) -> dict:
    """The whole path: a CSV through `BankService.import_file`, then `match` (SQL on hits)."""
    import tempfile

    import numba

    from seawall.banks.service import BankService
    from seawall.storage.base import make_engine

    numba.set_num_threads(threads)
    codes = bank(n)
    qs, _, _ = queries(codes, q)
    with tempfile.TemporaryDirectory(dir=OUT) as d:
        d = Path(d)
        csv = d / "bank.csv"
        with csv.open("w") as f:
            for i in range(0, n, 100_000):
                f.writelines(c.tobytes().hex() + ",violence,bench,synthetic\n"
                             for c in codes[i:i + 100_000])
        del codes
        base = rss()
        svc = BankService(make_engine(f"sqlite:///{d / 'db.sqlite'}"), d / "home")
        svc.create_bank("bench", "pdq")
        t = time.perf_counter()
        svc.import_file("bench", csv)
        import_s = time.perf_counter() - t
        qhex = [x.tobytes().hex() for x in qs]
        svc.match("pdq", qhex[:2], record=False)
        p50, p99, single = _latencies(
            lambda h: sorted(m.entry_id - 1 for m in svc.match("pdq", [h], record=False)[0]),
            qhex, q)
        mem = rss() - base
        t = time.perf_counter()
        fresh = BankService(make_engine(f"sqlite:///{d / 'db.sqlite'}"), d / "home")
        fresh.match("pdq", qhex[:1], record=False)
        reopen = time.perf_counter() - t
    return {"impl": "service", "n": n, "import_s": import_s, "p50_ms": p50, "p99_ms": p99,
            "rss_mb": mem / 2**20, "reopen_s": reopen, "results": single, "single": single}


def _total(fn, qs) -> float:
    t = time.perf_counter()
    for x in qs:
        fn(x)
    return time.perf_counter() - t


def subset(q: int, m: int) -> list[int]:
    """Query positions a slow baseline runs: m/2 planted and m/2 unrelated."""
    half, m = q // 2, min(m, q)
    return list(range(m // 2)) + list(range(half, half + m - m // 2))


def worker_pytx(n: int, q: int, threads: int, m: int) -> dict:
    import faiss
    from threatexchange.signal_type.pdq.signal import PdqSignal

    faiss.omp_set_num_threads(threads)
    codes = bank(n)
    qs, _, _ = queries(codes, q)
    hexes = [c.tobytes().hex() for c in codes]
    del codes
    qhex = [qs[i].tobytes().hex() for i in subset(q, m)]
    base = rss()
    t = time.perf_counter()
    index = PdqSignal.get_index_cls().build((h, i) for i, h in enumerate(hexes))
    build = time.perf_counter() - t
    del hexes
    mem = rss() - base
    p50, p99, single = _latencies(lambda h: sorted(x.metadata for x in index.query(h)), qhex,
                                  len(qhex))
    seq = _total(index.query, qhex)
    return {"impl": f"pytx {type(index).__name__}", "n": n, "build_s": build, "p50_ms": p50,
            "p99_ms": p99, "seq_qps": len(qhex) / seq, "batch_qps": None, "rss_mb": mem / 2**20,
            "results": single, "single": single, "subset": subset(q, m)}


def run_worker(impl: str, n: int, q: int, threads: int, timeout: float, m: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", impl, "--sizes", str(n), "--queries", str(q),
           "--threads", str(threads), "--baseline-queries", str(m)]
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"impl": impl, "n": n, "error": f"did not finish in {timeout:.0f}s"}
    if p.returncode:
        return {"impl": impl, "n": n, "error": p.stderr.strip().splitlines()[-1:]}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t
    return out


def recall(results: list[list[int]], expected: list[list[int]], half: int,
           positions: list[int] | None = None) -> tuple[float, float]:
    """(share of true neighbours found, over planted queries; false hits anywhere)."""
    positions = positions if positions is not None else list(range(len(results)))
    pairs = [(r, expected[p], p < half) for r, p in zip(results, positions)]
    want = sum(len(e) for _, e, planted in pairs if planted)
    got = sum(len(set(r) & set(e)) for r, e, planted in pairs if planted)
    wrong = sum(len(set(r) - set(e)) for r, e, _ in pairs)
    return got / max(want, 1), wrong


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100000", help="comma-separated bank sizes")
    p.add_argument("--queries", type=int, default=2000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--baseline-max", type=int, default=10_000_000,
                   help="largest bank to build in python-threatexchange (it is slow and big)")
    p.add_argument("--baseline-queries", type=int, default=2000,
                   help="queries the baseline runs (it takes ~0.1 s each at 10M)")
    p.add_argument("--e2e", action="store_true",
                   help="also time `bank import` of a CSV into SQLite and matching via the service")
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--write", action="store_true", help="also write bench/hashing/RESULTS.md")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.worker:
        if args.worker == "pytx":
            out = worker_pytx(sizes[0], args.queries, args.threads, args.baseline_queries)
        elif args.worker == "service":
            out = worker_service(sizes[0], args.queries, args.threads)
        else:
            out = worker_seawall(sizes[0], args.queries, args.threads)
        print(json.dumps(out))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        t = time.perf_counter()
        expected = truth(n, args.queries, args.threads)
        print(f"[{n:,}] brute-force truth in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        impls = ["seawall"] + ([] if args.no_baseline or n > args.baseline_max else ["pytx"])
        impls += ["service"] if args.e2e else []
        for impl in impls:
            r = run_worker(impl, n, args.queries, args.threads, args.timeout, args.baseline_queries)
            if "error" not in r:
                r["recall"], r["false_hits"] = recall(r["results"], expected, args.queries // 2,
                                                      r.get("subset"))
                r["single_agrees"] = r["single"] == [sorted(x) for x in r["results"]] or \
                    [sorted(x) for x in r["single"]] == [sorted(x) for x in r["results"]]
            print(f"[{n:,}] {impl}: " + json.dumps({k: v for k, v in r.items()
                                                  if k not in ("results", "single", "subset")}),
                  file=sys.stderr)
            rows.append(r)
    md = render(rows, args)
    print(md)
    if args.write:
        write_results(md)


def write_results(md: str) -> None:
    """Replace the scale section of RESULTS.md (the rest comes from the other scripts)."""
    path = HERE / "RESULTS.md"
    start, end = "<!-- scale: written by bench.py --write -->", "<!-- /scale -->"
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        text = text[:text.index(start) + len(start)] + "\n" + md + "\n" + text[text.index(end):]
    else:
        text = f"{start}\n{md}\n{end}\n" + text
    path.write_text(text)


def render(rows: list[dict], args) -> str:
    import psutil

    load = os.getloadavg()
    head = (f"PDQ banks of random hashes, {args.queries} queries (half planted at distance 0-31, "
            f"a quarter of those at exactly 31; half unrelated), {args.threads} threads, "
            f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} CPUs, "
            f"load average at the end {load[0]:.1f} (the machine is shared).\n")
    lines = [head, "| bank | index | build (s) | lookup p50 / p99 (ms) | lookups/s one at a time | "
             "lookups/s batched | recall at d<=31 | false hits | RSS (MB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "import_s" in r:
            continue
        if "error" in r:
            lines.append(f"| {r['n']:,} | {r['impl']} | {r['error']} | | | | | | |")
            continue
        batch = f"{r['batch_qps']:,.0f}" if r.get("batch_qps") else "n/a"
        lines.append(f"| {r['n']:,} | {r['impl']} | {r['build_s']:.1f} | {r['p50_ms']:.3f} / "
                     f"{r['p99_ms']:.3f} | {r['seq_qps']:,.0f} | {batch} | {r['recall']:.2%} | "
                     f"{r['false_hits']} | {r['rss_mb']:,.0f} |")
    e2e = [r for r in rows if "import_s" in r]
    if e2e:
        lines += ["", "| bank | `bank import` CSV → SQLite + index (s) | rows/s | match via service "
                  "p50 / p99 (ms) | reopen: index load (s) | RSS (MB) |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['n']:,} | {r['import_s']:.0f} | {r['n'] / r['import_s']:,.0f} | "
                  f"{r['p50_ms']:.3f} / {r['p99_ms']:.3f} | {r['reopen_s']:.2f} | "
                  f"{r['rss_mb']:,.0f} |" for r in e2e]
    extra = [r for r in rows if "incr_s" in r]
    if extra:
        lines += ["", "| bank | add 10,000 then look all up (s) | all found | save (s) | "
                  "load, mmap (s) | on disk (MB) | index arrays (MB) |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['n']:,} | {r['incr_s']:.3f} | {r['incr_ok']} | {r['save_s']:.1f} | "
                  f"{r['load_s']:.2f} | {r['disk_mb']:,.0f} | {r['index_mb']:,.0f} |" for r in extra]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
