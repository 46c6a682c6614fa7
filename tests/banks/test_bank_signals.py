"""Bank matches reach the decision flow as `bank:<name>` signals the policy reads."""

from __future__ import annotations

import json

from bank_helpers import flip, pdq_hashes

from seawall.banks.signals import bank_signals
from seawall.signals.hashers import get_hasher
from seawall.types import Content, Signal

SPAM = "Congratulations! You won a $500 gift card, claim it at gift-prize dot example right now"


def _media(hashes: dict) -> Signal:
    return Signal("image.hash.v1", "image", {}, meta={"hashes": hashes})


def test_no_banks_no_signals(service):
    assert bank_signals(Content("1", text=SPAM), [], service=service) == []


def test_media_hash_match_becomes_a_bank_signal(service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("confirmed-violence", "pdq", category="violence/graphic")
    service.add_entries("confirmed-violence", [h], source="review")
    out = bank_signals(Content("1", image="x.png"), [_media({"pdq": [flip(h, 9, rng)]})],
                       service=service)
    [s] = out
    assert s.source == "bank:confirmed-violence" and s.modality == "image"
    assert s.meta["bank"] == "confirmed-violence" and s.meta["matches"][0]["distance"] == 9
    assert s.evidence[0].category == "violence/graphic"


def test_text_is_hashed_and_matched(service):
    service.create_bank("scams", "text", category="scam")
    service.add_entries("scams", [get_hasher("text").hash_text(SPAM)])
    [s] = bank_signals(Content("1", text=SPAM.upper() + "!!"), [], service=service)
    assert s.source == "bank:scams" and s.modality == "text"


def test_policy_facts_see_the_bank_by_name(service, rng):
    from seawall.policy.facts import gather

    [h] = pdq_hashes(rng, 1)
    service.create_bank("csam", "md5")
    md5 = get_hasher("md5").hash_bytes(b"known")[0]
    service.add_entries("csam", [md5])
    content = Content("1", image="x.png")
    sigs = bank_signals(content, [_media({"md5": [md5], "pdq": [h]})], service=service)
    assert list(gather(content, sigs).banks) == ["csam"]


def test_suppressed_and_quarantined_matches_are_held_not_acted_on(service, rng, clock):
    a, b = pdq_hashes(rng, 2)
    service.create_bank("v", "pdq", options={"flood": {"min_matches": 2, "factor": 1}})
    service.create_bank("benign", "pdq", negative=True)
    service.add_entries("v", [a, b])
    service.add_entries("benign", [b])
    content = Content("1", image="x.png")
    held = bank_signals(content, [_media({"pdq": [b]})], service=service)
    assert [s.source for s in held] == ["bank-held:v"] and held[0].meta["held"][0]["suppressed_by"]
    bank_signals(content, [_media({"pdq": [a]})], service=service)
    flooded = bank_signals(content, [_media({"pdq": [a]})], service=service)
    assert [s.source for s in flooded] == ["bank-held:v"]
    assert flooded[0].meta["held"][0]["quarantined"]


def test_video_hashes_match_vpdq_and_frame_pdq_banks(service, rng):
    frames = pdq_hashes(rng, 5)
    vpdq = json.dumps([f"{h},100,{i}.000" for i, h in enumerate(frames)])
    service.create_bank("clips", "vpdq")
    service.create_bank("stills", "pdq")
    service.add_entries("clips", [vpdq])
    service.add_entries("stills", [frames[2]])
    sig = Signal("video.hash.v1", "video", {}, meta={"hashes": {"vpdq": [vpdq], "pdq": frames}})
    out = bank_signals(Content("1", video="v.mp4"), [sig], service=service)
    assert sorted(s.source for s in out) == ["bank:clips", "bank:stills"]
    assert {s.modality for s in out} == {"video"}


def test_a_malformed_media_hash_is_skipped_and_the_rest_matched(service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("v", "pdq")
    service.add_entries("v", [h])
    out = bank_signals(Content("1", image="x"), [_media({"pdq": ["nothex", h]})], service=service)
    assert [s.source for s in out] == ["bank:v"]


def test_flow_without_any_database_creates_none(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path / "fresh"))
    monkeypatch.delenv("SEAWALL_DATABASE_URL", raising=False)
    assert bank_signals(Content("1", text=SPAM), []) == []
    assert not (tmp_path / "fresh").exists()


def test_media_stage_edit_hashes_let_a_robust_bank_find_a_mirrored_picture(service):
    import pytest

    skdata = pytest.importorskip("skimage.data")
    pdq = get_hasher("pdq")
    rgb = skdata.coffee()
    service.create_bank("memes", "pdq", category="violence")
    service.add_entries("memes", [pdq.hash_image(rgb).hex])
    mirrored = rgb[:, ::-1].copy()
    h = pdq.hash_image(mirrored).hex
    assert bank_signals(Content("1", image="x.png"), [_media({"pdq": [h]})], service=service) == []
    signal = Signal("image.hash.v1", "image", {}, meta={
        "hashes": {"pdq": [h]}, "hash_edits": {"pdq": {h: pdq.query_hashes(mirrored)}}})
    [s] = bank_signals(Content("1", image="x.png"), [signal], service=service)
    assert s.source == "bank:memes" and s.meta["matches"][0]["detail"]["query_edit"] == "mirror"
