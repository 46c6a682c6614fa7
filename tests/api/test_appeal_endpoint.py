"""Authors' appeals arrive through the API and land in the appeals review queue."""

from __future__ import annotations

from fastapi.testclient import TestClient

from seawall.api import create_app
from seawall.settings import Settings


def test_an_appeal_against_a_removal_is_queued_once(tmp_path):
    from seawall.api.testing import fake_moderate

    app = create_app(Settings.from_env({"SEAWALL_HOME": str(tmp_path)}), moderate=fake_moderate)
    with TestClient(app) as client:
        r = client.post("/v1/items", json={"id": "c1", "text": "[violence=0.99] [harassment/threatening=0.99]", "author_id": "u1"})
        assert r.status_code == 200, r.text
        decision = r.json()
        assert decision["action"] != "allow", decision
        first = client.post(f"/v1/decisions/{decision['id']}:appeal", json={"statement": "joke"})
        again = client.post(f"/v1/decisions/{decision['id']}:appeal", json={"statement": "joke"})
        assert first.status_code == 202 and again.json()["appeal_id"] == first.json()["appeal_id"]
        queues = client.get("/v1/review/queues").json()
        assert any("appeal" in q["queue"] and q["open"] == 1 for q in queues["queues"]), queues
