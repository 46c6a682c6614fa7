"""Shared set-up: markers, and a database fixture run on SQLite and (marked) PostgreSQL."""

from db_fixtures import _isolated_home, db, pytest_configure, sqlite_db  # noqa: F401
