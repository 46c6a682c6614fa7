"""Shared set-up: markers, and a database fixture run on SQLite and (marked) PostgreSQL."""

import pytest

from db_fixtures import _isolated_home, db, pytest_configure, sqlite_db  # noqa: F401
from seawall.storage import testing


RECEIVERS = {"platform.test": ["93.184.215.14"], "inside.test": ["10.0.0.7"]}


@pytest.fixture
def make_client(db, tmp_path):
    """Build a TestClient over an app with the fake classifier; pass keys=[...] to require keys."""
    from fastapi.testclient import TestClient

    from seawall.actions.targets import Targets, fixed_resolver
    from seawall.api import create_app
    from seawall.api.testing import fake_moderate
    from seawall.settings import Settings

    clients = []

    def make(**kwargs):
        settings = Settings.from_env({"SEAWALL_HOME": str(tmp_path / "home")})
        kwargs.setdefault("moderate", fake_moderate)
        kwargs.setdefault("keys", [])
        # Receivers named in tests resolve without DNS to a public address (nothing is sent there).
        kwargs.setdefault("targets", Targets(resolver=fixed_resolver(RECEIVERS)))
        app = create_app(settings, db=db, **kwargs)
        client = TestClient(app)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def live_server(make_client):
    """The app served by uvicorn on a loopback port (for real clients like `openai`)."""
    import socket
    import threading
    import time

    import uvicorn

    app = make_client().app
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def db(tmp_path):
    # HTTP behaviour does not depend on the backend, and storage, actions and jobs tests run
    # on both; API tests use SQLite (test_database_restart.py and the PostgreSQL smoke below
    # cover the server).
    with testing.database("sqlite", tmp_path) as database:
        yield database
