"""The HTTP API application: `create_app` wires storage, queue, keys, limits and routers together."""

from __future__ import annotations

import contextlib
import logging
import os
import threading

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from seawall import __version__
from seawall.actions import webhooks
from seawall.actions.dispatch import Dispatcher, Moderate
from seawall.actions.targets import Targets
from seawall.api import admin, errors, items, openai_compat, perspective, records
from seawall.api.auth import ApiKey, KeyRing, parse_keys
from seawall.api.context import ApiState, require
from seawall.api.limits import RequestLimits
from seawall.api.metrics import Metrics, MetricsMiddleware
from seawall.jobs import JobQueue, open_queue
from seawall.jobs.worker import Worker
from seawall.settings import Settings
from seawall.storage.db import Database

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 8 * 1024 * 1024   # enough for a data-URL image; send bigger media by URL


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def create_app(settings: Settings | None = None, *, moderate: Moderate | None = None,
               db: Database | None = None, queue: JobQueue | None = None, keys: list[ApiKey] | None = None,
               migrate: bool | None = None, max_body_bytes: int | None = None,
               sync_budget_s: float | None = None, run_worker: bool = False,
               console: bool = True, targets: Targets | None = None) -> FastAPI:
    """Build the API. Every dependency can be passed in (tests pass a fake `moderate`).

    `moderate(content, *, policy=...) -> Decision` is the moderation function; by default
    the real flow (`seawall.flow.moderate`). `targets` checks webhook and callback URLs
    (by default public addresses only; see seawall.actions.targets).
    """
    settings = settings or Settings.from_env()
    if db is None:
        settings.ensure_home()
        db = Database(settings.database_url)
        if migrate if migrate is not None else os.environ.get("SEAWALL_AUTO_MIGRATE", "1") != "0":
            db.upgrade()
    queue = queue or open_queue(db, settings.redis_url)
    keyring = KeyRing(parse_keys(os.environ.get("SEAWALL_API_KEYS")) if keys is None else keys)
    metrics = Metrics()
    targets = targets or Targets.from_env()
    st = ApiState(settings=settings, db=db, dispatcher=Dispatcher(db, moderate=moderate), queue=queue,
                  keys=keyring, metrics=metrics, targets=targets,
                  sync_budget_s=sync_budget_s or _env_float("SEAWALL_SYNC_BUDGET_S", 10.0))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        worker = thread = None
        if run_worker:
            worker = Worker(queue, st.dispatcher, deliverer=webhooks.Deliverer(db.session, targets=targets))
            thread = threading.Thread(target=worker.run, kwargs={"block_s": 0.5}, name="seawall-worker",
                                      daemon=True)
            thread.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop.set()
                thread.join(timeout=10)

    app = FastAPI(title="Seawall", version=__version__, lifespan=lifespan,
                  description="Open trust & safety: OpenAI- and Perspective-compatible moderation, "
                              "policy decisions, enforcement records and async jobs.")
    app.state.seawall = st
    errors.install(app)
    for router in (openai_compat.router, perspective.router, items.router, records.router, admin.router):
        app.include_router(router)
    _include_banks(app)
    if console:
        # The review console at /console: same database, same domain functions.
        from seawall.console import mount

        mount(app, db)

    @app.get("/healthz", tags=["Operations"], summary="Liveness and database reachability")
    def healthz():
        ok = db.ping()
        return Response(content=f'{{"status":"{"ok" if ok else "degraded"}","database":{str(ok).lower()}}}',
                        media_type="application/json", status_code=200 if ok else 503)

    @app.get("/metrics", tags=["Operations"], summary="Prometheus metrics")
    def prometheus(_key=Depends(require("read"))):
        return Response(metrics.render(), media_type=metrics.content_type)

    app.add_middleware(RequestLimits, max_bytes=max_body_bytes
                       or int(_env_float("SEAWALL_MAX_REQUEST_BYTES", DEFAULT_MAX_BODY)))
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _include_banks(app: FastAPI) -> None:
    try:
        from seawall.banks.http import router as banks_router
    except ImportError as exc:
        log.debug("bank endpoints not available: %s", exc)
        return
    app.include_router(banks_router, dependencies=[Depends(require("banks"))])


def request_state(request: Request) -> ApiState:
    return request.app.state.seawall
