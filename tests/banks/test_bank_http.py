"""HTTP: native /v1/banks routes and HMA-compatible /h/hash, /m/lookup shapes."""

from __future__ import annotations

import io

import pytest
from bank_helpers import flip, pdq_hashes
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from seawall.banks.http import bank_service, router
from seawall.signals.hashers import get_hasher


@pytest.fixture
def client(service):
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[bank_service] = lambda: service
    return TestClient(app)


def _png() -> bytes:
    skdata = pytest.importorskip("skimage.data")
    buf = io.BytesIO()
    Image.fromarray(skdata.astronaut()).save(buf, "PNG")
    return buf.getvalue()


def test_bank_crud_over_http(client, rng):
    r = client.post("/v1/banks", json={"name": "v", "kind": "pdq", "distance": 20,
                                       "category": "violence"})
    assert r.status_code == 201 and r.json()["distance"] == 20
    assert client.post("/v1/banks", json={"name": "v", "kind": "pdq"}).status_code == 409
    assert [b["name"] for b in client.get("/v1/banks").json()["banks"]] == ["v"]
    hs = pdq_hashes(rng, 3)
    r = client.post("/v1/banks/v/entries", json={"hashes": hs, "source": "api"})
    assert r.status_code == 201 and r.json()["added"] == 3
    assert client.get("/v1/banks/v").json()["entries"] == 3
    assert client.patch("/v1/banks/v", json={"enabled": False}).json()["enabled"] is False
    client.patch("/v1/banks/v", json={"enabled": True})
    r = client.post("/v1/match", json={"kind": "pdq", "hashes": [flip(hs[0], 5, rng)]})
    [res] = r.json()["results"]
    assert res["matches"][0]["distance"] == 5 and res["matches"][0]["source"] == "api"
    assert client.post("/v1/banks/v/entries/remove", json={"hashes": hs[:1]}).json() == {"removed": 1}
    assert client.delete("/v1/banks/v").status_code == 204
    assert client.get("/v1/banks/v").status_code == 404


def test_import_and_export_over_http(client, rng):
    client.post("/v1/banks", json={"name": "v", "kind": "pdq"})
    hs = pdq_hashes(rng, 4)
    body = "".join(f"pdq {h}\n" for h in hs)
    r = client.post("/v1/banks/v/import?source=partner", content=body)
    assert r.status_code == 200 and r.json()["added"] == 4
    r = client.post("/v1/banks/v/import", content="zz\n")
    assert r.status_code == 400 and "line 1" in r.json()["error"]["message"]
    out = client.get("/v1/banks/v/export?format=te").text
    assert out.splitlines() == [f"pdq {h}" for h in hs]


def test_hma_lookup_by_signal_answers_banks_with_content_ids(client, service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("BANK_A", "pdq")
    service.add_entries("BANK_A", [h])
    r = client.get("/m/lookup", params={"signal": flip(h, 4, rng), "signal_type": "pdq"})
    assert r.status_code == 200
    [entry] = r.json()["BANK_A"]
    assert entry["distance"] == "4" and isinstance(entry["bank_content_id"], int)
    raw = client.get("/m/raw_lookup", params={"signal": h, "signal_type": "pdq",
                                              "include_distance": "true"}).json()
    assert raw == {"matches": [{"bank_content_id": entry["bank_content_id"], "distance": "0"}]}
    status = client.get("/m/index/status", params={"signal_type": "pdq"}).json()
    assert status["pdq"]["present"] and status["pdq"]["size"] == 1


def test_hma_lookup_errors_are_messages(client):
    r = client.get("/m/lookup", params={"signal": "zz", "signal_type": "pdq"})
    assert r.status_code == 400 and "message" in r.json()
    r = client.get("/m/lookup", params={"signal": "0" * 64, "signal_type": "tlsh"})
    assert r.status_code == 400 and "No such SignalType" in r.json()["message"]
    assert client.get("/m/lookup").status_code == 400
    assert client.get("/h/hash").json() == {"message": "url is required"}


def test_hma_hash_of_an_uploaded_photo_is_its_pdq(client):
    data = _png()
    r = client.post("/h/hash", files={"photo": ("a.png", data, "image/png")})
    assert r.status_code == 200
    assert r.json() == {"pdq": get_hasher("pdq").hash_image(data).hex}
    r = client.post("/h/hash?types=pdq,md5", files={"photo": ("a.png", data, "image/png")})
    assert set(r.json()) == {"pdq", "md5"}


def test_hma_lookup_of_an_uploaded_photo(client, service):
    data = _png()
    service.create_bank("BANK_A", "pdq")
    service.add_entries("BANK_A", [get_hasher("pdq").hash_image(data).hex])
    r = client.post("/m/lookup", files={"photo": ("a.png", data, "image/png")})
    assert r.status_code == 200 and list(r.json()["pdq"]) == ["BANK_A"]


def test_hma_hash_refuses_urls_to_private_addresses(client):
    r = client.get("/h/hash", params={"url": "http://127.0.0.1/x.png"})
    assert r.status_code >= 400 and "message" in r.json()


def test_export_streams_a_bank_larger_than_one_chunk(client, service, rng):
    service.create_bank("v", "pdq")
    hs = pdq_hashes(rng, 25)
    service.add_entries("v", hs)
    chunks = []
    buf = io.StringIO()
    for n in service.export_chunks("v", buf, "csv", chunk=10):
        chunks.append(n)
    assert chunks == [10, 10, 5] and buf.getvalue().count("\n") == 26
    r = client.get("/v1/banks/v/export")
    assert r.text.splitlines()[0].startswith("hash,") and len(r.text.splitlines()) == 26
    assert client.get("/v1/banks/nope/export").status_code == 404
    assert client.get("/v1/banks/v/export?format=xml").status_code == 400


def test_hma_matching_enabled_ratio_zero_hides_the_bank(client, service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("BANK_A", "pdq", options={"matching_enabled_ratio": 0.0})
    service.add_entries("BANK_A", [h])
    assert client.get("/m/lookup", params={"signal": h, "signal_type": "pdq",
                                           "seed": "x"}).json() == {}


def test_banked_photo_upload_is_found_mirrored_and_cropped_by_hma_lookup(client, service):
    skdata = pytest.importorskip("skimage.data")
    service.create_bank("BANK_A", "pdq")
    r = client.post("/v1/banks/BANK_A/images?source=review",
                    files=[("photo", ("a.png", _png(), "image/png"))])
    assert r.status_code == 201 and r.json()["added"] == 1
    [entry] = service.iter_entries("BANK_A")
    assert entry.hash == get_hasher("pdq").hash_image(_png()).hex
    rgb = skdata.astronaut()
    for edited in (rgb[:, ::-1], rgb[40:-40, 40:-40]):
        buf = io.BytesIO()
        Image.fromarray(edited).save(buf, "PNG")
        r = client.post("/m/lookup", files={"photo": ("q.png", buf.getvalue(), "image/png")})
        assert [m["bank_content_id"] for m in r.json()["pdq"]["BANK_A"]] == [entry.id]
    status = client.get("/m/index/status", params={"signal_type": "pdq"}).json()
    assert status["pdq"]["size"] == 1


def test_uploading_something_that_is_not_a_photo_to_a_bank_is_refused(client, service):
    service.create_bank("BANK_A", "pdq")
    r = client.post("/v1/banks/BANK_A/images", files=[("photo", ("a.png", b"nope", "image/png"))])
    assert r.status_code in (400, 415) and list(service.iter_entries("BANK_A")) == []


def test_native_match_takes_a_pictures_edit_hashes(client, service):
    skdata = pytest.importorskip("skimage.data")
    pdq = get_hasher("pdq")
    service.create_bank("v", "pdq")
    service.add_entries("v", [pdq.hash_image(skdata.coffee()).hex])
    mirrored = skdata.coffee()[:, ::-1].copy()
    body = {"kind": "pdq", "hashes": [pdq.hash_image(mirrored).hex]}
    assert client.post("/v1/match", json=body).json()["results"][0]["matches"] == []
    body["edits"] = [pdq.query_hashes(mirrored)]
    [m] = client.post("/v1/match", json=body).json()["results"][0]["matches"]
    assert m["detail"] == {"query_edit": "mirror"}
    body["edits"] = [{"sideways": body["hashes"][0]}]
    assert client.post("/v1/match", json=body).status_code == 400
