"""Verdicts become training examples that `seawall train --data` reads, with provenance."""

import io
import json

from seawall.feedback import LabelRecorder, export_jsonl
from seawall.feedback.examples import labels_for
from seawall.review import appeals, claims, testing, verdicts
from seawall.training.corpus import load_user_file
from seawall.types import Content


def _decide(db, mod, cid, text, action, cats):
    testing.route(db, Content(id=cid, text=text, lang="en", author_id="alice"))
    with db.session() as s:
        claim = claims.claim_next(s, mod, "hate")
        return verdicts.decide(s, mod, claim.id, action, categories=cats, subscribers=[LabelRecorder()])


def test_labels_mark_confirmed_categories_and_their_parents_and_rejected_flags():
    assert labels_for(["hate/threatening"], ["hate/threatening", "harassment"]) == \
        {"hate/threatening": 1, "hate": 1, "harassment": 0}
    assert labels_for([], ["hate"]) == {"hate": 0}


def test_export_round_trips_through_the_training_loader(sqlite_db, tmp_path):
    mod = testing.add_user(sqlite_db, "mia", "moderator", ["hate"])
    _decide(sqlite_db, mod, "a", "[hate=0.8] those people are vermin", "remove", ["hate"])
    _decide(sqlite_db, mod, "b", "[hate=0.7] I hate mondays", "allow", [])
    buf = io.StringIO()
    with sqlite_db.session() as s:
        assert export_jsonl(s, buf) == 2
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    by_text = {line["text"]: line for line in lines}
    assert by_text["[hate=0.8] those people are vermin"]["labels"] == {"hate": 1}
    assert by_text["[hate=0.7] I hate mondays"]["labels"] == {"hate": 0}
    prov = lines[0]["provenance"]
    assert prov["source"] == "seawall-review" and prov["policy_version"] and prov["verdict_id"]
    assert prov["reviewer"].startswith("mod-") and "mia" not in json.dumps(lines)
    path = tmp_path / "reviewed.jsonl"
    path.write_text(buf.getvalue())
    examples = load_user_file(path)
    assert sorted(e.labels["hate"] for e in examples) == [0, 1]


def test_an_overturned_appeal_turns_the_label_to_zero(sqlite_db):
    mod = testing.add_user(sqlite_db, "mia", "moderator", ["hate"])
    lead = testing.add_user(sqlite_db, "lea", "senior_moderator", ["*"])
    result = _decide(sqlite_db, mod, "a", "[hate=0.8] reclaimed word", "remove", ["hate"])
    with sqlite_db.session() as s:
        appeals.file_appeal(s, result.enforced.id)
    with sqlite_db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeals.decide_appeal(s, lead, claim.id, "overturn", subscribers=[LabelRecorder()])
    buf = io.StringIO()
    with sqlite_db.session() as s:
        export_jsonl(s, buf)
    (line,) = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert line["labels"] == {"hate": 0} and line["provenance"]["appeal_id"]
