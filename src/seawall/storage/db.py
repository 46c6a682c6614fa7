"""The database handle: an engine, short transactions, and clean errors when the server is down."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from seawall.errors import SeawallError
from seawall.storage.base import make_engine
from seawall.storage.schema import load_all

log = logging.getLogger(__name__)


class StorageUnavailable(SeawallError):
    """The database cannot be reached or failed mid-transaction; nothing was stored."""

    code = "storage_unavailable"
    http_status = 503


class Database:
    """One engine per process. `session()` is one transaction: all of it is stored, or none."""

    def __init__(self, url: str, *, pool_size: int | None = None):
        self.url = url
        if url.startswith("sqlite"):
            self.engine = make_engine(url)
        else:
            # The API runs handlers in up to 40 threads; a pool near that size keeps them from
            # queueing on connections (SEAWALL_DB_POOL_SIZE overrides).
            size = pool_size or int(os.environ.get("SEAWALL_DB_POOL_SIZE", "20"))
            self.engine = make_engine(url, pool_size=size, max_overflow=size, pool_timeout=10)
        writer = self.engine
        if self.engine.dialect.name == "sqlite":
            _own_sqlite_transactions(self.engine)
            # Writers take the write lock up front: a deferred transaction that reads and
            # then writes fails at once (SQLITE_BUSY) when another writer got in between.
            writer = self.engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        self._sessions = sessionmaker(writer, expire_on_commit=False)
        self._readers = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-write transaction."""
        with self._transaction(self._sessions) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (on SQLite it does not queue behind writers)."""
        with self._transaction(self._readers) as session:
            yield session

    @contextmanager
    def _transaction(self, factory) -> Iterator[Session]:
        try:
            with factory() as session, session.begin():
                yield session
        except (OperationalError, PoolTimeout) as exc:
            raise StorageUnavailable(f"database unavailable: {_short(exc)}") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StorageUnavailable(f"database connection lost: {_short(exc)}") from exc
            raise

    def create_all(self) -> None:
        """Create missing tables directly (tests); deployments use `seawall db upgrade`."""
        load_all().create_all(self.engine)

    def upgrade(self, revision: str = "head") -> None:
        from seawall.migrations import upgrade

        upgrade(self.url, revision, engine=self.engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not ready"; the caller reports it
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _own_sqlite_transactions(engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, so SAVEPOINTs nest inside the transaction.

    pysqlite (before Python 3.12's autocommit attribute) begins transactions lazily and
    not before a SAVEPOINT, so releasing a savepoint would commit; this is SQLAlchemy's
    documented remedy.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_conn, _record):  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def _short(exc: Exception) -> str:
    msg = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    return msg[0][:200] if msg else type(exc).__name__


def open_database(url: str | None = None) -> Database:
    """The configured database (SQLite under SEAWALL_HOME unless SEAWALL_DATABASE_URL says otherwise)."""
    from seawall.settings import get_settings

    settings = get_settings()
    if url is None:
        settings.ensure_home()
        url = settings.database_url
    return Database(url)
