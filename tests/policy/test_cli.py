"""`seawall policy check|test|explain` from the command line."""

import json

from seawall.cli.main import main


def test_check_reports_file_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.policy"
    bad.write_text('policy(version="x", default=allow, on_missing="ignore")\nr = rule(when=score("hat") > 1, then=remove)\n')
    assert main(["policy", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:21: error: unknown category 'hat'" in err and "^~~~~" in err


def test_check_default_policy(capsys):
    assert main(["policy", "check"]) == 0
    assert "ok: default.policy" in capsys.readouterr().out


def test_test_runs_the_default_examples(capsys):
    assert main(["policy", "test"]) == 0
    assert capsys.readouterr().out.strip().endswith(" passed, 0 failed")


def test_test_finds_sibling_tests_and_fails_on_a_wrong_expectation(tmp_path, capsys):
    (tmp_path / "p.policy").write_text('policy(version="x", default=allow, on_missing="ignore")\n'
                                       'r = rule(when=score("spam") > 0.5, then=remove)\n')
    (tmp_path / "p.tests.yaml").write_text("- name: spam stays\n  scores: {spam: 0.9}\n  expect: {action: allow}\n")
    assert main(["policy", "test", str(tmp_path / "p.policy"), "-v"]) == 1
    out = capsys.readouterr().out
    assert "FAIL spam stays" in out and "expected allow, got remove" in out and "+ r" in out


def test_explain_an_item_with_given_scores(tmp_path, capsys):
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "c9", "text": "x", "author_id": "u", "author": {"strikes": 2},
                                 "scores": {"harassment": 0.99}}) + "\n")
    assert main(["policy", "explain", "--input", str(items)]) == 0
    out = capsys.readouterr().out
    assert "item c9: suspend" in out and "+ third_strike" in out and "author.strikes = 2" in out


def test_explain_a_stored_decision(tmp_path, monkeypatch, capsys):
    from seawall.actions.dispatch import Dispatcher
    from seawall.api.testing import fake_moderate
    from seawall.storage.db import open_database
    from seawall.types import Content

    db = open_database()
    db.upgrade()
    decision, _ = Dispatcher(db, moderate=fake_moderate).process(Content(id="c1", text="[hate=0.7] x"))
    assert main(["policy", "explain", "--decision", decision["id"]]) == 0
    out = capsys.readouterr().out
    assert "item c1: review" in out and "+ hate_review" in out and 'flagged("hate") = True' in out
