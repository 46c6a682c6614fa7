"""Fixtures for console tests: the real API app with the console mounted, on a throwaway database."""

import re

import pytest
from fastapi.testclient import TestClient

from seawall.review import testing


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path / "home"))
    for name in ("SEAWALL_DATABASE_URL", "SEAWALL_API_KEYS", "SEAWALL_POLICY", "SEAWALL_QA_SHARE",
                 "SEAWALL_CONSOLE_RESTRICTED_QUEUES", "SEAWALL_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    from seawall.policy import thresholds

    monkeypatch.setattr(thresholds, "classifier_thresholds", lambda: {})


@pytest.fixture
def db(tmp_path):
    with testing.database("sqlite", tmp_path) as database:
        yield database


class Console:
    """The app with the console, plus the reference banks its feedback writes to."""

    def __init__(self, db, **mount_args):
        from seawall.api.app import create_app
        from seawall.console import mount
        from seawall.feedback import ReferenceBanks, default_subscribers

        self.db = db
        self.banks = ReferenceBanks(db.session)
        self.moderate = testing.moderate_with(self.banks)
        self.app = create_app(db=db, moderate=self.moderate, keys=[], migrate=False)
        self.state = mount(self.app, subscribers=default_subscribers(self.banks), **mount_args)

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=True)

    def sign_in(self, username, password=testing.PASSWORD) -> "Browser":
        c = self.client()
        page = c.get("/console/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        r = c.post("/console/login", data={"login_token": token, "username": username, "password": password,
                                           "next": "/console/"})
        assert r.status_code == 200, r.text[:500]
        return Browser(c, re.search(r'name="csrf" value="([^"]+)"', r.text).group(1))


class Browser:
    def __init__(self, client, csrf):
        self.client, self.csrf = client, csrf

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        return self.client.post(url, data={"csrf": self.csrf, **(data or {})}, **kw)


@pytest.fixture
def console(db):
    return Console(db)
