"""`seawall scan`: the JSON Lines contract, and bad input that never stops the batch."""

from __future__ import annotations

import json

import pytest

from seawall import taxonomy
from seawall.cli.main import main


@pytest.fixture(autouse=True)
def _small_model(small_model_dir, monkeypatch):
    import seawall.signals.text as text

    monkeypatch.setenv("SEAWALL_TEXT_MODEL", str(small_model_dir))
    monkeypatch.setenv("SEAWALL_TEXT_TIER", "fast")
    monkeypatch.setattr(text, "_cascade", None)
    yield
    text._cascade = None


def scan(tmp_path, data: bytes) -> list[dict]:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(data)
    assert main(["scan", "--input", str(src), "--output", str(dst)]) == 0
    return [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]


def test_one_output_line_per_input_line_in_order(tmp_path):
    lines = [{"id": f"c{i}", "text": t} for i, t in enumerate(["hello there", "I will kill you", "nice video"])]
    out = scan(tmp_path, "\n".join(json.dumps(x) for x in lines).encode() + b"\n")
    assert [o["id"] for o in out] == ["c0", "c1", "c2"]
    for o in out:
        assert set(o["category_scores"]) == set(taxonomy.NAMES)
        assert set(o["categories"]) == set(taxonomy.NAMES)
        assert isinstance(o["flagged"], bool) and isinstance(o["action"], str)
        assert isinstance(o["evidence"], list)


def test_bad_lines_become_error_lines_and_the_batch_goes_on(tmp_path):
    data = b"\n".join([
        b'{"id": 1, "text": "fine"}',
        b'{"id": 2, "text": "broken',                 # not JSON
        b'\xff\xfe{"id": 3, "text": "x"}',             # invalid UTF-8
        b'[1, 2, 3]',                                  # not an object
        b'{"text": "no id"}',                          # missing id
        b'{"id": 6}',                                  # nothing to judge
        b'{"id": 7, "text": 42}',                      # wrong type
        b'{"id": 8, "text": "ok", "colour": "red"}',   # unknown field
        b'',                                           # blank line
        b'{"id": 10, "text": "still going"}',
    ]) + b"\n"
    out = scan(tmp_path, data)
    assert len(out) == 10
    codes = [o.get("error", {}).get("code") for o in out]
    assert codes == [None, "invalid_json", "invalid_utf8", "invalid_input", "missing_id", "empty_item",
                     "invalid_input", "unknown_field", "empty_line", None]
    assert out[-1]["id"] == 10 and "category_scores" in out[-1]


def test_oversized_text_is_an_error_for_that_line(tmp_path):
    big = "a" * 1_000_001
    out = scan(tmp_path, json.dumps({"id": "big", "text": big}).encode() + b"\n" +
               json.dumps({"id": "small", "text": "hi"}).encode() + b"\n")
    assert out[0]["error"]["code"] == "too_large" and out[0]["id"] == "big"
    assert "category_scores" in out[1]


def test_control_characters_and_empty_text(tmp_path):
    out = scan(tmp_path, json.dumps({"id": 1, "text": "he\x00llo\x07 \x1b[31mworld"}).encode() + b"\n" +
               json.dumps({"id": 2, "text": ""}).encode() + b"\n")
    assert "category_scores" in out[0]
    assert out[1]["error"]["code"] == "empty_item"


def test_ten_thousand_lines_with_broken_ones(tmp_path):
    rows = []
    for i in range(10_000):
        rows.append(b"{broken" if i % 97 == 0 else json.dumps({"id": i, "text": f"comment number {i}"}).encode())
    out = scan(tmp_path, b"\n".join(rows) + b"\n")
    assert len(out) == 10_000
    broken = [o for o in out if "error" in o]
    assert len(broken) == len(range(0, 10_000, 97))
    assert out[9999]["id"] == 9999
