"""Fixtures for review tests: a database with review's tables, on SQLite and (marked) PostgreSQL."""

from review_fixtures import _isolated_home, db, sqlite_db  # noqa: F401
