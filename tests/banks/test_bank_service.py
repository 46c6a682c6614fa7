"""Banks: lifecycle, provenance, per-bank distance, negative banks, floods, disk and SQL."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from bank_helpers import flip, pdq_hashes

from seawall.banks.service import BankService
from seawall.errors import Conflict, InvalidInput, NotFound
from seawall.signals.hashers import get_hasher


def _csv(tmp_path, hashes, extra=""):
    p = tmp_path / "in.csv"
    p.write_text("hash,category,reason,source,external_id\n"
                 + "".join(f"{h},violence,confirmed,review,x{i}\n" for i, h in enumerate(hashes))
                 + extra)
    return p


def test_bank_lifecycle_create_list_disable_enable_delete(service):
    service.create_bank("confirmed-violence", "pdq", category="violence/graphic", distance=20)
    service.create_bank("spam-texts", "text")
    assert [b.name for b in service.list_banks(fresh=True)] == ["confirmed-violence", "spam-texts"]
    assert service.get_bank("spam-texts").distance == get_hasher("text").default_distance
    assert not service.update_bank("spam-texts", enabled=False).enabled
    assert service.update_bank("spam-texts", enabled=True).enabled
    service.delete_bank("spam-texts")
    with pytest.raises(NotFound):
        service.get_bank("spam-texts")


@pytest.mark.parametrize("kwargs,error", [
    ({"name": "bad name", "kind": "pdq"}, InvalidInput),
    ({"name": "b", "kind": "phash"}, InvalidInput),
    ({"name": "b", "kind": "pdq", "distance": 500}, InvalidInput),
    ({"name": "b", "kind": "md5", "distance": 3}, InvalidInput),
    ({"name": "b", "kind": "pdq", "category": "gore"}, InvalidInput),
    ({"name": "b", "kind": "pdq", "options": {"colour": "red"}}, InvalidInput),
])
def test_bank_creation_rejects_bad_settings(service, kwargs, error):
    with pytest.raises(error):
        service.create_bank(**kwargs)


def test_bank_names_are_unique(service):
    service.create_bank("a", "pdq")
    with pytest.raises(Conflict):
        service.create_bank("a", "md5")


def test_import_keeps_provenance_and_counts_duplicates(service, tmp_path, rng):
    service.create_bank("v", "pdq")
    hashes = pdq_hashes(rng, 50)
    report = service.import_file("v", _csv(tmp_path, hashes, extra=hashes[0].upper() + "\n"),
                                 defaults={"added_by": "alice"})
    assert (report.added, report.duplicates_in_file, report.already_in_bank) == (50, 1, 0)
    again = service.import_file("v", _csv(tmp_path, hashes[:10] + pdq_hashes(rng, 5)))
    assert (again.added, again.already_in_bank) == (5, 10)
    entry = service.match("pdq", [hashes[3]])[0][0]
    e = service.get_entries([entry.entry_id])[entry.entry_id]
    assert (e.category, e.reason, e.source, e.added_by, e.external_id) == (
        "violence", "confirmed", "review", "alice", "x3")
    assert e.added_at.tzinfo is not None


def test_import_with_one_bad_line_stores_nothing(service, tmp_path, rng):
    service.create_bank("v", "pdq")
    p = _csv(tmp_path, pdq_hashes(rng, 20), extra="abc,violence\n")
    with pytest.raises(InvalidInput, match="line 22"):
        service.import_file("v", p)
    assert service.stats("v")["entries"] == 0
    assert service.match("pdq", [pdq_hashes(rng, 1)[0]]) == [[]]


def test_each_bank_matches_at_its_own_distance(service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("strict", "pdq", distance=5)
    service.create_bank("loose", "pdq", distance=31)
    service.add_entries("strict", [h])
    service.add_entries("loose", [h])
    near = flip(h, 12, rng)
    assert [m.bank for m in service.match("pdq", [near])[0]] == ["loose"]
    assert {m.bank for m in service.match("pdq", [flip(h, 3, rng)])[0]} == {"strict", "loose"}


def test_disabled_bank_does_not_match(service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("v", "pdq")
    service.add_entries("v", [h])
    service.update_bank("v", enabled=False)
    assert service.match("pdq", [h]) == [[]]


def test_bank_match_ignores_negative_bank_suppressed_matches(service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("v", "pdq")
    service.create_bank("benign-memes", "pdq", negative=True)
    service.add_entries("v", [h])
    service.add_entries("benign-memes", [flip(h, 4, rng)])
    ms = {m.bank: m for m in service.match("pdq", [h])[0]}
    assert ms["v"].suppressed_by == "benign-memes" and not ms["v"].actionable
    assert ms["benign-memes"].negative


def test_flooding_entry_is_quarantined_and_reported(service, rng, clock):
    hs = pdq_hashes(rng, 5)
    service.create_bank("v", "pdq", options={"flood": {"min_matches": 30, "factor": 10,
                                                       "window_s": 600}})
    service.add_entries("v", hs)
    for h in hs[1:]:  # peers match a little
        service.match("pdq", [h])
    results = []
    for _ in range(40):
        clock.t += 1
        results.append(service.match("pdq", [hs[0]])[0][0])
    assert all(m.actionable for m in results[:29])
    assert results[29].quarantined and all(m.quarantined for m in results[29:])
    stats = service.stats("v")
    assert stats["by_status"] == {"active": 4, "quarantined": 1}
    assert stats["floods"][0]["matches"] == 30
    service.release_entry("v", results[0].entry_id, by="bob")
    assert service.match("pdq", [hs[0]])[0][0].actionable


def test_operator_lookups_do_not_count_towards_floods(service, rng):
    [h] = pdq_hashes(rng, 1)
    service.create_bank("v", "pdq", options={"flood": {"min_matches": 3, "factor": 1}})
    service.add_entries("v", [h])
    for _ in range(10):
        service.match("pdq", [h], record=False)
    assert service.match("pdq", [h], record=False)[0][0].actionable


def test_removed_entries_stop_matching_at_once(service, rng):
    hs = pdq_hashes(rng, 300)
    service.create_bank("v", "pdq")
    service.add_entries("v", hs)
    [m] = service.match("pdq", [hs[10]])[0]
    assert service.remove_entries("v", entry_ids=[m.entry_id]) == 1
    assert service.remove_entries("v", hashes=[hs[11]]) == 1
    assert service.match("pdq", hs[10:12]) == [[], []]
    assert len(service.match("pdq", hs[12:14])[1]) == 1


def test_index_survives_restart_and_is_rebuilt_when_lost(service, tmp_path, rng):
    hs = pdq_hashes(rng, 250)
    service.create_bank("v", "pdq")
    service.add_entries("v", hs)
    again = BankService(service.engine, service.home, reload_check_s=0)
    assert len(again.match("pdq", [hs[7]])[0]) == 1
    shutil.rmtree(service.home / "banks")
    third = BankService(service.engine, service.home, reload_check_s=0)
    assert len(third.match("pdq", [flip(hs[8], 10, rng)])[0]) == 1


def test_another_process_adding_entries_is_seen(service, rng):
    [a, b] = pdq_hashes(rng, 2)
    service.create_bank("v", "pdq")
    service.add_entries("v", [a])
    assert service.match("pdq", [b]) == [[]]
    other = BankService(service.engine, service.home, reload_check_s=0)
    other.add_entries("v", [b])
    assert len(service.match("pdq", [b])[0]) == 1


@pytest.mark.parametrize("fmt", ["csv", "te", "jsonl"])
def test_export_then_import_round_trips(service, tmp_path, rng, fmt):
    hs = pdq_hashes(rng, 30)
    service.create_bank("v", "pdq")
    service.add_entries("v", hs, category="violence", source="partner", external_id="e1")
    out = io.StringIO()
    assert service.export("v", out, fmt) == 30
    service.create_bank("copy", "pdq")
    report = service.import_file("copy", io.BytesIO(out.getvalue().encode()), fmt=fmt)
    assert report.added == 30
    exported = {e.hash: e for e in service.iter_entries("copy")}
    assert set(exported) == set(hs)
    if fmt != "te":
        assert {(e.category, e.source) for e in exported.values()} == {("violence", "partner")}


def test_md5_bank_matches_exact_copies_only(service):
    service.create_bank("known-files", "md5")
    h = get_hasher("md5")
    service.add_entries("known-files", h.hash_bytes(b"file one"))
    assert len(service.match("md5", h.hash_bytes(b"file one"))[0]) == 1
    assert service.match("md5", h.hash_bytes(b"file one!")) == [[]]


def test_text_bank_matches_a_reworded_campaign_text(service):
    t = get_hasher("text")
    service.create_bank("scam-campaign", "text", category="scam")
    service.add_entries("scam-campaign", [t.hash_text(
        "Your parcel is held at customs. Pay the 1.99 fee now at parcel-help dot info to release it")])
    q = t.hash_text("your PARCEL is held at customs!! pay the 1.99 fee now at parcel-help dot info "
                    "to release it today")
    [m] = service.match("text", [q])[0]
    assert m.category == "scam"


def test_vpdq_bank_matches_by_share_of_frames(service, rng):
    frames = pdq_hashes(rng, 10)
    video = json.dumps([f"{h},100,{i}.000" for i, h in enumerate(frames)])
    service.create_bank("clips", "vpdq")
    service.add_entries("clips", [video])
    # A re-encode: every frame a few bits off, and two extra frames of its own.
    copy = json.dumps([f"{flip(h, 6, rng)},90,{i}.000" for i, h in enumerate(frames)]
                      + [f"{h},90,{10 + i}.000" for i, h in enumerate(pdq_hashes(rng, 2))])
    [m] = service.match("vpdq", [copy])[0]
    assert m.detail == {"query_match_percent": pytest.approx(83.33), "compared_match_percent": 100.0}
    half = json.dumps([f"{h},100,{i}.000" for i, h in enumerate(frames[:5] + pdq_hashes(rng, 5))])
    assert service.match("vpdq", [half]) == [[]]  # 50% of its frames: under the 80% default
    service.update_bank("clips", options={"query_match_percent": 50})
    assert len(service.match("vpdq", [half])[0]) == 1
    assert service.remove_entries("clips", entry_ids=[m.entry_id]) == 1
    assert service.match("vpdq", [copy]) == [[]]


def test_match_unknown_bank_is_not_found(service):
    service.create_bank("v", "pdq")
    with pytest.raises(NotFound):
        service.match("pdq", ["0" * 64], banks=["nope"])


def test_entries_added_to_a_large_bank_are_matchable_at_once(tmp_path, rng):
    # How fast is bench/hashing's business (a 10M bank, against a baseline in the same
    # run); a timed assertion here failed on a loaded 2-core machine (6 s against 5).
    import numpy as np

    from seawall.storage.base import make_engine

    svc = BankService(make_engine(f"sqlite:///{tmp_path / 'db'}"), tmp_path / "h")
    svc.create_bank("big", "pdq")
    base = rng.integers(0, 256, (60_000, 32), dtype=np.uint8)
    svc.add_entries("big", [c.tobytes().hex() for c in base])
    new = [c.tobytes().hex() for c in rng.integers(0, 256, (10_000, 32), dtype=np.uint8)]
    svc.add_entries("big", new)
    hits = svc.match("pdq", [flip(h, 15, rng) for h in new[:100]])
    assert all(len(h) == 1 for h in hits)


def test_portable_insert_path_stores_the_same_entries(tmp_path, rng):
    """The RETURNING path PostgreSQL takes, run here on SQLite."""
    from seawall.storage.base import make_engine

    svc = BankService(make_engine(f"sqlite:///{tmp_path / 'db'}"), tmp_path / "h",
                      sqlite_bulk=False)
    svc.create_bank("v", "pdq")
    hs = pdq_hashes(rng, 25)
    assert svc.add_entries("v", hs, source="s").added == 25
    [m] = svc.match("pdq", [hs[4]])[0]
    assert svc.get_entries([m.entry_id])[m.entry_id].hash == hs[4]
