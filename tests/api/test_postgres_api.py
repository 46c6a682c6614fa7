"""The native API end to end on PostgreSQL: decide, retry, explain, enforce."""

import pytest
from fastapi.testclient import TestClient

from seawall.api import create_app
from seawall.api.testing import fake_moderate
from seawall.settings import Settings
from seawall.storage import testing


@pytest.mark.postgres
def test_items_strikes_and_statements_on_postgres(tmp_path):
    with testing.database("postgres", tmp_path, migrate=True) as db:
        app = create_app(Settings.from_env({"SEAWALL_HOME": str(tmp_path)}), db=db, moderate=fake_moderate, keys=[])
        with TestClient(app) as client:
            item = {"id": "p1", "text": "[hate=0.99]", "author_id": "u"}
            first = client.post("/v1/items", json=item, headers={"Idempotency-Key": "pk"}).json()
            again = client.post("/v1/items", json=item, headers={"Idempotency-Key": "pk"}).json()
            assert first["id"] == again["id"] and first["action"] == "remove_with_strike"
            assert client.get("/v1/authors/u/strikes").json()["active_strikes"] == 1
            assert client.get(f"/v1/decisions/{first['id']}/statement").status_code == 200
            rules = client.get(f"/v1/decisions/{first['id']}/explain").json()["rules"]
            assert any(r["rule"] == "hate_remove" and r["value"] is True for r in rules)
