"""`seawall bank ...` per the contract: create, import (CSV), match (JSON Lines), export."""

from __future__ import annotations

import json

import pytest
from bank_helpers import flip, pdq_hashes

from seawall.cli.main import main


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SEAWALL_DATABASE_URL", raising=False)
    return tmp_path


def test_bank_cli_contract_create_import_match_export(tmp_path, capsys, rng):
    hs = pdq_hashes(rng, 20)
    assert main(["bank", "create", "confirmed-violence", "--kind", "pdq", "--distance", "31"]) == 0
    src = tmp_path / "hashes.csv"
    src.write_text("".join(f"{h},violence/graphic,seen in review\n" for h in hs))
    assert main(["bank", "import", "confirmed-violence", str(src), "--added-by", "alice"]) == 0
    assert '"added": 20' in capsys.readouterr().out
    q = tmp_path / "q.txt"
    q.write_text(f"{flip(hs[0], 7, rng)}\nnot-a-hash\n{'0' * 64}\n")
    out = tmp_path / "out.jsonl"
    assert main(["bank", "match", "confirmed-violence", "--input", str(q), "--output", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [list(line) for line in lines] == [["hash", "matches"], ["hash", "error"],
                                              ["hash", "matches"]]
    assert lines[0]["matches"][0]["distance"] == 7 and "entry_id" in lines[0]["matches"][0]
    assert lines[2]["matches"] == []
    capsys.readouterr()
    assert main(["bank", "export", "confirmed-violence"]) == 0
    exported = capsys.readouterr().out.splitlines()
    assert exported[0].startswith("hash,") and len(exported) == 21


def test_bank_cli_list_enable_disable_stats_delete(capsys):
    main(["bank", "create", "spam", "--kind", "text", "--category", "spam"])
    main(["bank", "disable", "spam"])
    capsys.readouterr()
    main(["bank", "list"])
    assert "disabled" in capsys.readouterr().out
    main(["bank", "enable", "spam"])
    main(["bank", "add", "spam", "--source", "review", "a" * 64])
    capsys.readouterr()
    main(["bank", "stats", "spam"])
    assert json.loads(capsys.readouterr().out)["entries"] == 1
    assert main(["bank", "remove", "spam", "--hash", "a" * 64]) == 0
    assert main(["bank", "delete", "spam"]) == 1  # refuses without --yes
    assert main(["bank", "delete", "spam", "--yes"]) == 0


def test_bank_cli_reports_bad_import_without_a_traceback(tmp_path, capsys):
    main(["bank", "create", "v", "--kind", "md5"])
    bad = tmp_path / "bad.csv"
    bad.write_text("d41d8cd98f00b204e9800998ecf8427e\nxyz\n")
    assert main(["bank", "import", "v", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "Traceback" not in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["bank", "import", "v", str(empty)]) == 1
    assert "empty" in capsys.readouterr().err
