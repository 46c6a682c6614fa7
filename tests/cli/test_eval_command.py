"""`seawall eval --target-precision`: thresholds an operator chooses on their own labels."""

from __future__ import annotations

import json

import numpy as np

from seawall.cli.main import main


def _write(tmp_path):
    rows = []
    for i in range(300):
        bad = i % 3 == 0
        text = f"you are a stupid worthless idiot, number {i}" if bad else f"lovely photo of the garden at dawn {i}"
        rows.append({"text": text, "labels": {"harassment": int(bad)}, "lang": "en"})
    # Two labelled positives for a category: too few to choose a threshold on.
    rows += [{"text": "i want to end it all tonight", "labels": {"self-harm": 1}, "lang": "en"},
             {"text": "i will hurt myself again", "labels": {"self-harm": 1}, "lang": "en"},
             {"text": "what a nice afternoon", "labels": {"self-harm": 0}, "lang": "en"}]
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return f, rows


def test_eval_chooses_thresholds_for_a_target_precision(tmp_path, small_model_dir, capsys):
    f, rows = _write(tmp_path)
    out = tmp_path / "report"
    assert main(["eval", "--model", str(small_model_dir), "--data", str(f), "--all-splits",
                 "--target-precision", "0.9", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    points = json.loads((out / "thresholds.json").read_text())
    assert points["target_precision"] == 0.9 and points["examples"] == len(rows)
    d = points["detail"]["harassment"]
    assert d["precision_lower"] >= 0.9 and d["positives"] == 100
    assert points["thresholds"]["harassment"] == round(d["threshold"], 6)
    assert "self-harm" in points["unmet"] and "self-harm" not in points["thresholds"]
    # Chosen again on half the rows and checked on the other half.
    h = d["held_out"]
    assert h["n"] == 150 and 0 < h["recall"] <= 1 and h["precision"] >= 0.8
    assert "harassment" in printed and "unmet" in printed
    page = (out / "report.html").read_text()
    assert "Operating points for a precision of 0.90" in page and "held_out_recall" in page
    assert json.loads((out / "report.json").read_text())["operating_points"]["thresholds"] == points["thresholds"]
    # Reviewer capacity: at most 20% of the texts flagged (a third are positives).
    capped = tmp_path / "capped"
    assert main(["eval", "--model", str(small_model_dir), "--data", str(f), "--all-splits",
                 "--target-precision", "0.9", "--max-flag-rate", "0.2", "--out", str(capped)]) == 0
    c = json.loads((capped / "thresholds.json").read_text())
    assert c["detail"]["harassment"]["flag_rate"] <= 0.2
    assert c["detail"]["harassment"]["recall"] < d["recall"] or d["flag_rate"] <= 0.2
    assert np.isclose(c["max_flag_rate"], 0.2)


def test_eval_refuses_a_target_precision_outside_zero_and_one(tmp_path, small_model_dir, capsys):
    f, _ = _write(tmp_path)
    for bad in (["--target-precision", "1.5"], ["--max-flag-rate", "0.1"]):
        assert main(["eval", "--model", str(small_model_dir), "--data", str(f), "--all-splits",
                     "--out", str(tmp_path / "r"), *bad]) == 1
        assert "seawall: error:" in capsys.readouterr().err
