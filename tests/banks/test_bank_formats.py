"""Hash list files: each format read, bad input refused whole with line numbers."""

from __future__ import annotations

import io
import json

import pytest
from bank_helpers import pdq_hashes

from seawall.banks import formats
from seawall.errors import InvalidInput, TooLarge
from seawall.signals.hashers import get_hasher

PDQ = get_hasher("pdq")


def read(text: str, fmt=None, kind="pdq", **kw):
    return formats.read_file(io.BytesIO(text.encode()), get_hasher(kind), fmt, **kw)


def test_csv_without_header_is_positional(rng):
    h = pdq_hashes(rng, 2)
    out = read(f"{h[0]},violence,seen twice,ncmec,ext-1\n{h[1]}\n")
    assert out.format == "csv" and out.hashes == h
    assert out.meta["category"] == ["violence", None]
    assert out.meta["source"] == ["ncmec", None] and out.meta["external_id"] == ["ext-1", None]


def test_csv_header_names_columns_in_any_order(rng):
    [h] = pdq_hashes(rng, 1)
    out = read(f"source,hash,added_at\npartner,{h.upper()},2024-05-01T10:00:00Z\n")
    assert out.hashes == [h] and out.meta["source"] == ["partner"]
    assert out.meta["added_at"][0].isoformat() == "2024-05-01T10:00:00+00:00"


def test_threatexchange_file_exchange_lines(rng):
    h = pdq_hashes(rng, 2)
    out = read(f"pdq {h[0]}\npdq {h[1]}\n")
    assert out.format == "te" and out.hashes == h


def test_threatexchange_lines_of_another_signal_type_are_refused(rng):
    with pytest.raises(InvalidInput, match="line 2: signal type 'video_md5'"):
        read(f"pdq {pdq_hashes(rng, 1)[0]}\nvideo_md5 {'a' * 32}\n")


def test_threatexchange_raw_text_is_hashed_into_a_text_bank():
    out = read("raw_text Claim your free prize now at prize-claim dot example before midnight\n",
               kind="text")
    assert len(out.hashes) == 1 and len(out.hashes[0]) == 64


def test_threatexchange_ui_csv(rng):
    [h] = pdq_hashes(rng, 1)
    text = ("td_raw_indicator,td_owner_name,td_creation_time,td_subjective_tags,td_description\n"
            f"{h},Partner Co,2019-12-04T15:05:28-05:00,violence;terror,bulk upload\n")
    out = read(text)
    assert out.format == "te-csv" and out.hashes == [h]
    assert out.meta["source"] == ["Partner Co"]
    assert out.meta["reason"] == ["violence;terror; bulk upload"]


def test_jsonl_rows(rng):
    [h] = pdq_hashes(rng, 1)
    out = read(json.dumps({"hash": h, "category": "hate", "reason": "r"}) + "\n")
    assert out.format == "jsonl" and out.meta["category"] == ["hate"]


@pytest.mark.parametrize("text,message", [
    ("", "empty"),
    ("\n\n  \n", "empty"),
    ("hash,category\n", "only a header"),
    ("zz\n", "line 1: pdq hash must be 64 hex digits, got 2"),
    ("g" * 64 + "\n", "line 1: pdq hash is not hexadecimal"),
    ("a" * 63 + "\n", "got 63"),
    ("a" * 64 + ",gore\n", "unknown category 'gore'"),
    ("a" * 64 + ",,,,,,2024-13-45\n", "bad time"),
    ("a" * 64 + ",violence,r,s,e,u,2024-01-01,extra\n", "columns"),
    ('{"hash": 5\n', "not JSON"),
])
def test_malformed_files_fail_with_a_clear_error(text, message):
    with pytest.raises(InvalidInput, match=message):
        read(text)


def test_errors_list_the_first_bad_lines_only():
    text = "".join(f"bad{i}\n" for i in range(100))
    with pytest.raises(InvalidInput) as err:
        read(text)
    assert "line 1:" in str(err.value) and "line 10:" in str(err.value)
    assert "line 11:" not in str(err.value) and "stopped at the first 10" in str(err.value)


def test_duplicates_in_a_file_are_counted_not_stored_twice(rng):
    [h] = pdq_hashes(rng, 1)
    out = read(f"{h}\n{h.upper()}\n {h} \n")
    assert len(out) == 1 and out.duplicates == 2


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b"a" * 2048)
    with pytest.raises(TooLarge, match="over the import limit"):
        formats.read_file(p, PDQ, max_bytes=1024)


def test_non_utf8_file_is_refused():
    with pytest.raises(InvalidInput, match="not UTF-8"):
        formats.read_file(io.BytesIO(b"\xff\xfe\x00bad"), PDQ)


def test_export_writes_every_format(rng):
    rows = [{"hash": h, "category": "violence", "id": i} for i, h in enumerate(pdq_hashes(rng, 2))]
    for fmt, first in (("csv", "hash,category"), ("te", "pdq "), ("jsonl", "{")):
        out = io.StringIO()
        assert formats.write_file(rows, out, fmt, "pdq") == 2
        assert out.getvalue().startswith(first)
    with pytest.raises(InvalidInput):
        formats.write_file(rows, io.StringIO(), "xml", "pdq")


@pytest.mark.slow
def test_a_100mb_file_with_one_bad_line_at_the_end_imports_nothing(service, tmp_path, rng):
    import numpy as np

    service.create_bank("v", "pdq")
    p = tmp_path / "big.csv"
    codes = rng.integers(0, 256, (1_350_000, 32), dtype=np.uint8)
    with p.open("w") as f:
        f.writelines(c.tobytes().hex() + ",violence,imported in bulk\n" for c in codes)
        f.write("not-a-hash,violence\n")
    assert p.stat().st_size > 100 * 2**20
    with pytest.raises(InvalidInput, match="line 1350001"):
        service.import_file("v", p)
    assert service.stats("v")["entries"] == 0
