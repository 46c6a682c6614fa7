"""Benchmark: text moderation over HTTP at concurrency 1, 16 and 64; SQLite and PostgreSQL side by side.

    PYTHONPATH=src python bench/api/run.py [--seconds 5] [--classifier fake|real]

Each row runs a fresh `seawall serve`-equivalent uvicorn process (one worker) and a load
generator in this process, on the same machine. `POST /v1/moderations` stores nothing and
is the baseline; `POST /v1/items` decides, stores and enforces (ledger, statement, queues),
so it shows what the database costs. Output: a table on stdout and bench/out/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["have a great day, see you at the game", "[hate=0.97] you people are vermin",
         "[spam=0.9] buy followers now cheap", "[harassment=0.7] you are an idiot",
         "what time does the store open tomorrow?", "[scam=0.8] verify your bank account here"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(db_url: str, classifier: str):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.Popen([sys.executable, str(ROOT / "bench/api/server.py"), "--db", db_url, "--port",
                                 str(port), "--home", home, "--classifier", classifier], env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("benchmark server did not start")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=20)


async def load(base: str, endpoint: str, concurrency: int, seconds: float, warmup: float) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    def body(n: int) -> dict:
        text = TEXTS[n % len(TEXTS)]
        if endpoint == "/v1/moderations":
            return {"input": text}
        return {"id": f"b{n}", "text": text, "author_id": f"author{n % 500}"}

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal errors, counter
        while (now := time.perf_counter()) < stop_at:
            counter += 1
            t0 = time.perf_counter()
            try:
                r = await client.post(endpoint, json=body(counter))
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            t1 = time.perf_counter()
            if t0 >= measure_from:
                if ok:
                    latencies.append(t1 - t0)
                else:
                    errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(one(client) for _ in range(concurrency)))
    latencies.sort()
    n = len(latencies)
    return {"requests": n, "errors": errors, "rps": n / seconds,
            "p50_ms": 1000 * statistics.median(latencies) if n else None,
            "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else None}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", default="1,16,64")
    p.add_argument("--classifier", choices=("fake", "real"), default="fake",
                   help="fake: scores from markers in the text (isolates HTTP, policy and storage)")
    p.add_argument("--postgres", default=None, help="PostgreSQL URL (default: SEAWALL_TEST_POSTGRES_URL or local)")
    args = p.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from seawall.storage import testing

    levels = [int(c) for c in args.concurrency.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        configs = [("sqlite", f"sqlite:///{tmp}/bench.db", "/v1/moderations"),
                   ("sqlite", f"sqlite:///{tmp}/bench.db", "/v1/items")]
        pg = contextlib.ExitStack()
        try:
            pg_url = pg.enter_context(testing.postgres_schema(args.postgres))
            configs.append(("postgresql", pg_url, "/v1/items"))
        except BaseException as exc:  # pytest's skip is a BaseException; report and carry on
            print(f"PostgreSQL unavailable, skipped: {exc}", file=sys.stderr)
        with pg:
            for backend, url, endpoint in configs:
                with server(url, args.classifier) as base:
                    for c in levels:
                        r = asyncio.run(load(base, endpoint, c, args.seconds, args.warmup))
                        rows.append({"backend": backend, "endpoint": endpoint, "concurrency": c, **r})
                        print(f"  {backend:10} {endpoint:16} c={c:<3} {r['rps']:7.1f} req/s", file=sys.stderr)
    print(f"\ntext moderation over HTTP, classifier={args.classifier}, {os.cpu_count()} CPUs, "
          f"{args.seconds:.0f}s per row after {args.warmup:.0f}s warm-up, server and load generator on one machine\n")
    print("| backend | endpoint | concurrency | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        p50 = f"{r['p50_ms']:.1f}" if r["p50_ms"] is not None else "-"
        p99 = f"{r['p99_ms']:.1f}" if r["p99_ms"] is not None else "-"
        print(f"| {r['backend']} | {r['endpoint']} | {r['concurrency']} | {r['rps']:.1f} | {p50} | {p99} | {r['errors']} |")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api.json").write_text(json.dumps({"classifier": args.classifier, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
