"""Fixtures shared by the storage-backed suites: markers, a database on SQLite and (marked)
PostgreSQL, and an isolated home. Each suite's conftest imports them, so they stay scoped."""

import pytest

from seawall.storage import testing


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes seconds (subprocesses, real servers)")
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (SEAWALL_TEST_POSTGRES_URL)")
    config.addinivalue_line("markers", "redis: needs a Redis server (SEAWALL_TEST_REDIS_URL)")


def database_fixtures(testing_module):
    """The `db` (SQLite and marked PostgreSQL) and `sqlite_db` fixtures over a testing
    module's `database(kind, tmp_path)`: storage's tables, or review's on top."""

    @pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
    def db(request, tmp_path):
        with testing_module.database(request.param, tmp_path) as database:
            yield database

    @pytest.fixture
    def sqlite_db(tmp_path):
        with testing_module.database("sqlite", tmp_path) as database:
            yield database

    return db, sqlite_db


db, sqlite_db = database_fixtures(testing)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    # Nothing a test does may touch the developer's ./.seawall or a configured server.
    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SEAWALL_DATABASE_URL", raising=False)
    monkeypatch.delenv("SEAWALL_REDIS_URL", raising=False)
    monkeypatch.delenv("SEAWALL_API_KEYS", raising=False)
    monkeypatch.delenv("SEAWALL_POLICY", raising=False)
    from seawall.policy import thresholds

    monkeypatch.setattr(thresholds, "classifier_thresholds", lambda: {})
