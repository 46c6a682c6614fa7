"""Fixtures for the review and feedback suites: a database with review's tables, on SQLite
and (marked) PostgreSQL, and an isolated home. Each suite's conftest imports them."""

import pytest

from db_fixtures import database_fixtures

from seawall.review import testing


db, sqlite_db = database_fixtures(testing)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path / "home"))
    for name in ("SEAWALL_DATABASE_URL", "SEAWALL_POLICY", "SEAWALL_QA_SHARE", "SEAWALL_CONSOLE_RESTRICTED_QUEUES"):
        monkeypatch.delenv(name, raising=False)
    from seawall.policy import thresholds

    monkeypatch.setattr(thresholds, "classifier_thresholds", lambda: {})
