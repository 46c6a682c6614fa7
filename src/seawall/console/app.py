"""The review console as a router under /console, and `mount(app)` that wires it into the HTTP API."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse

from seawall.console import views_account, views_items, views_oversight, views_queues
from seawall.console.auth import SessionPolicy
from seawall.console.deps import ConsoleState
from seawall.console.render import SECURITY_HEADERS, ConsoleRoute
from seawall.errors import NotFound
from seawall.review.events import Subscriber
from seawall.storage.db import Database

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# Served by name from this list only: no path from the request ever reaches the filesystem.
STATIC_FILES = {"htmx.min.js": "text/javascript", "console.js": "text/javascript", "console.css": "text/css"}

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
for _views in (views_account, views_queues, views_items, views_oversight):
    router.include_router(_views.router)


@router.get("/static/{name}")
def static(name: str):
    if name not in STATIC_FILES:
        raise NotFound(f"no static file {name!r}")
    # Vendored files change only with a release; a day of caching is safe.
    headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=86400"}
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name], headers=headers)


def ensure_tables(db: Database) -> None:
    """Create review's tables when missing. Deployments get them from migrations; this covers a
    database that predates them, so the console never fails on a missing table."""
    import importlib

    from sqlalchemy import inspect

    from seawall.review import TABLE_MODULES
    from seawall.storage.base import Base

    for name in TABLE_MODULES:
        importlib.import_module(name)
    present = set(inspect(db.engine).get_table_names())
    ours = [t for n, t in Base.metadata.tables.items()
            if n.startswith(("review_", "console_", "audit_")) and n not in present]
    if ours:
        log.warning("creating console tables %s directly; add them to a migration", ", ".join(t.name for t in ours))
        Base.metadata.create_all(db.engine, tables=ours)


def mount(app: FastAPI, db: Database | None = None, *, subscribers: list[Subscriber] | None = None,
          sessions: SessionPolicy | None = None, create_tables: bool = True) -> ConsoleState:
    """Serve the console from `app` at /console. With no `db`, the API's own (app.state.seawall.db).

    `subscribers` receive review events; by default labels for training and confirmed media
    for the banks (the bank service's, which the flow matches new items against).
    """
    if db is None:
        db = app.state.seawall.db
    if create_tables:
        ensure_tables(db)
    if subscribers is None:
        from seawall.feedback import default_subscribers
        from seawall.feedback.banking import default_sink

        subscribers = default_subscribers(default_sink(db))
    from seawall.storage.policies import PolicyCache

    from seawall.storage.media import MediaStore

    state = ConsoleState(db=db, subscribers=subscribers, sessions=sessions or SessionPolicy(),
                         policies=PolicyCache(db.session), media=MediaStore.from_env())
    app.state.console = state
    app.include_router(router)

    @app.get("/console", include_in_schema=False)
    def console_root():
        return RedirectResponse("/console/", status_code=307)

    return state
