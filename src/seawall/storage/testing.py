"""Test helpers for storage users: throwaway SQLite and PostgreSQL databases, service checks.

PostgreSQL tests each get a private schema on the server named by SEAWALL_TEST_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test), so parallel runs never collide.
A test that needs a server skips when it is unreachable, unless SEAWALL_REQUIRE_SERVICES=1,
where it fails: CI must not go green by skipping.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def services_required() -> bool:
    return os.environ.get("SEAWALL_REQUIRE_SERVICES") == "1"


def unavailable(what: str, why: str) -> None:
    """Skip (or, when services are required, fail) the calling test."""
    import pytest

    message = f"{what} unreachable: {why}"
    if services_required():
        pytest.fail(message + " (SEAWALL_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def postgres_url() -> str:
    return os.environ.get("SEAWALL_TEST_POSTGRES_URL", DEFAULT_PG)


def redis_url() -> str:
    return os.environ.get("SEAWALL_TEST_REDIS_URL", DEFAULT_REDIS)


def with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@contextlib.contextmanager
def postgres_schema(url: str | None = None) -> Iterator[str]:
    """Yield a URL whose connections use a fresh schema; the schema is dropped afterwards."""
    from sqlalchemy import create_engine, text

    base = url or postgres_url()
    schema = f"seawall_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        unavailable("PostgreSQL", str(exc).splitlines()[0])
    try:
        yield with_schema(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def database(kind: str, tmp_path: Path, *, migrate: bool = False):
    """A ready Database: "sqlite" in tmp_path or "postgres" in a private schema."""
    from seawall.storage.db import Database

    with contextlib.ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / 'seawall.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        db = Database(url)
        stack.callback(db.dispose)
        if migrate:
            db.upgrade()
        else:
            db.create_all()
        yield db


def redis_client():
    """A Redis client for tests, or skip/fail when the server is unreachable."""
    import redis

    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis", str(exc))
    return client
