"""`seawall train` on a user's file: one language at a time, the threshold metric chosen."""

from __future__ import annotations

import json

from seawall.cli.main import main


def _write(tmp_path):
    rows = []
    for i in range(240):
        bad = i % 3 == 0
        lang = "de" if i % 2 else "en"
        text = (f"du bist ein dummer idiot {i}" if bad else f"schönes foto vom garten {i}") if lang == "de" else \
               (f"you are a stupid idiot {i}" if bad else f"lovely photo of the garden {i}")
        rows.append(json.dumps({"text": text, "labels": {"offensive": int(bad)}, "lang": lang}))
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f


def test_train_on_one_language_with_macro_f1_thresholds(tmp_path):
    out = tmp_path / "model"
    assert main(["train", "--data", str(_write(tmp_path)), "--lang", "de", "--no-encoder",
                 "--threshold-metric", "macro-f1", "--bits", "12", "--out", str(out)]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["recipe"]["threshold_metric"] == "macro-f1"
    assert sum(d["examples"] for d in m["data"].values()) == 120  # only the German half
    assert "offensive" in m["bands"] and m["bands"]["offensive"] != [1.0, 1.0]  # a user's head is banded


def test_train_on_a_language_the_data_lacks_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "--data", str(_write(tmp_path)), "--lang", "fr", "--no-encoder",
                 "--out", str(tmp_path / "m")]) != 0
    assert "no examples in language(s) fr" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_rows_without_a_language_get_the_detected_one(tmp_path):
    base = ["Das ist wirklich ein schöner Tag im Garten", "Du bist ein dummer Idiot und ein Versager",
            "This is a lovely day in the garden", "You are a stupid idiot and a loser"]
    rows = [json.dumps({"text": f"{t} {i}", "labels": {"offensive": i % 2}}) for i, t in enumerate(base * 40)]
    f = tmp_path / "nolang.jsonl"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from seawall.training.corpus import load_user_file

    langs = {e.lang for e in load_user_file(f)}
    assert langs == {"de", "en"}
    out = tmp_path / "m"
    assert main(["train", "--data", str(f), "--lang", "de", "--no-encoder", "--bits", "12", "--out", str(out)]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert sum(d["examples"] for d in m["data"].values()) == 80
