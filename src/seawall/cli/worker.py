"""`seawall worker`: run queued jobs (video, audio, batches) and deliver webhooks and callbacks."""

from __future__ import annotations

import argparse
import signal


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="run async jobs and webhook deliveries")
    p.add_argument("--queue", choices=("auto", "sql", "redis"), default="auto",
                   help="job carrier: redis when SEAWALL_REDIS_URL is set (auto), or the database")
    p.add_argument("--lease", type=float, default=60.0, help="seconds a job is held between heartbeats")
    p.add_argument("--max-jobs", type=int, default=None, help="exit after this many jobs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seawall.actions import webhooks
    from seawall.actions.dispatch import Dispatcher
    from seawall.errors import SeawallError
    from seawall.jobs import open_queue
    from seawall.jobs.worker import Worker
    from seawall.settings import get_settings
    from seawall.storage.db import Database

    settings = get_settings()
    settings.ensure_home()
    db = Database(settings.database_url)
    redis_url = settings.redis_url if args.queue in ("auto", "redis") else None
    if args.queue == "redis" and not redis_url:
        raise SeawallError("--queue redis needs SEAWALL_REDIS_URL", code="bad_config")
    worker = Worker(open_queue(db, redis_url), Dispatcher(db), lease_s=args.lease,
                    deliverer=webhooks.Deliverer(db.session))
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    print(f"seawall worker {worker.consumer}: {'redis' if redis_url else 'sql'} queue", flush=True)
    worker.run(max_jobs=args.max_jobs)
    return 0
