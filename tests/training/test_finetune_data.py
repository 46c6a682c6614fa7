"""The fine-tuning file: a user's own labels, their language, masked unknowns."""

from __future__ import annotations

import gzip
import json

import pytest

from seawall.errors import InvalidInput
from seawall.training import finetune_data


def user_file(tmp_path):
    rows = []
    for i in range(40):
        rows.append({"text": f"you are a worthless idiot number {i}", "labels": {"harassment": 1}, "lang": "en"})
        rows.append({"text": f"thanks for the recipe, dinner {i} was great", "labels": {"harassment": 0}, "lang": "en"})
        rows.append({"text": f"eres un idiota inútil número {i}", "labels": {"harassment": 1}, "lang": "es"})
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    return lines[0], lines[1:]


def test_a_users_file_becomes_the_fine_tuning_file_in_its_language(tmp_path):
    out = tmp_path / "ft.jsonl.gz"
    finetune_data.main([str(out), "--data", str(user_file(tmp_path))])
    header, rows = read(out)
    assert header == {"heads": ["harassment"], "datasets": ["mine"]}
    assert len(rows) == 80  # the Spanish rows are left out: English by default
    assert {r["d"] for r in rows} == {"mine"}
    assert sorted({r["y"][0] for r in rows}) == [0, 1]
    assert {r["s"] for r in rows} <= {"train", "dev", "test"}


def test_a_language_without_both_classes_of_any_head_is_a_clear_error(tmp_path):
    # Spanish has only positives: nothing to learn a boundary from.
    with pytest.raises(InvalidInput):
        finetune_data.main([str(tmp_path / "ft.jsonl.gz"), "--data", str(user_file(tmp_path)), "--lang", "es"])
