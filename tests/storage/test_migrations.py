"""Migrations: the shipped Alembic history builds exactly the tables the code defines."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from seawall.migrations import current, head
from seawall.storage import testing
from seawall.storage.db import Database
from seawall.storage.schema import load_all


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrade_creates_every_table_and_matches_the_models(kind, tmp_path):
    with testing.database(kind, tmp_path, migrate=True) as db:
        assert current(db.url) == head()
        tables = set(inspect(db.engine).get_table_names())
        assert set(load_all().tables) <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), load_all())
        # A non-empty diff means a table changed without a migration: run `seawall db revision`.
        assert diff == []


def test_upgrade_twice_is_a_no_op(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    db.upgrade()
    db.upgrade()
    assert current(db.url) == head()
