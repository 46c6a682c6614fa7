"""The database restarted under load: requests fail cleanly (503), then recover; nothing half-stored."""

import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from seawall.api import create_app
from seawall.api.testing import fake_moderate
from seawall.settings import Settings
from seawall.storage import testing
from seawall.storage.db import Database
from seawall.storage.tables import DecisionRecord, LedgerEntry

from tcp_proxy import TcpProxy  # noqa: E402


@pytest.mark.slow
@pytest.mark.postgres
def test_requests_fail_cleanly_while_postgres_is_down_and_recover(tmp_path):
    with testing.postgres_schema() as url:
        real = make_url(url)
        proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        proxy.up()
        db = Database(real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        db.create_all()
        app = create_app(Settings.from_env({"SEAWALL_HOME": str(tmp_path)}), db=db, moderate=fake_moderate,
                         keys=[])
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        statuses: list[tuple[int, str]] = []
        done = threading.Event()

        def client(n: int) -> None:
            # A well-behaved integrator: retries 503s with the same idempotency key.
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                for i in range(1000):
                    if done.is_set():
                        return
                    item = {"id": f"{n}-{i}", "text": "[hate=0.99]", "author_id": f"a{n}-{i}"}
                    for _ in range(200):
                        r = http.post("/v1/items", json=item, headers={"Idempotency-Key": item["id"]})
                        statuses.append((r.status_code, r.json().get("error", {}).get("code", "")))
                        if r.status_code == 200 or done.is_set():
                            break
                        time.sleep(0.05)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)
            proxy.down()                       # the database goes away mid-load
            time.sleep(1.5)
            ok_before_recovery = sum(1 for s, _ in statuses if s == 200)
            proxy.up()                         # and comes back on the same address
            time.sleep(2.0)
        finally:
            done.set()
            for t in threads:
                t.join(timeout=30)
            server.should_exit = True
            thread.join(timeout=10)
        failures = [s for s in statuses if s[0] != 200]
        assert failures and all(s == (503, "storage_unavailable") for s in failures), set(failures)
        assert sum(1 for s, _ in statuses if s == 200) > ok_before_recovery   # recovered
        with db.session() as s:
            decisions = s.scalar(select(func.count()).select_from(DecisionRecord))
            keys = s.scalar(select(func.count(func.distinct(DecisionRecord.idempotency_key))))
            strikes = s.scalar(select(func.count()).select_from(LedgerEntry))
        # Every stored decision is whole (its strike with it) and no retry stored a second one.
        assert decisions == keys == strikes
        db.dispose()
        proxy.down()
