"""The item page's model: evidence in place, policy text, author history."""

from seawall.review import case, claims, testing, verdicts
from seawall.review.queue import ReviewItem
from seawall.types import Content


def test_highlight_splits_text_at_evidence_and_merges_overlaps():
    text = "hello you awful person bye"
    ev = [{"modality": "text", "span": [6, 15], "category": "harassment", "score": 0.6},
          {"modality": "text", "span": [10, 22], "category": "hate", "score": 0.9},
          {"modality": "text", "span": [0, 99], "category": "spam", "score": 1.0}]   # out of range: ignored
    segs = case.highlight(text, ev)
    assert "".join(s.text for s in segs) == text
    marked = [s for s in segs if s.category]
    assert [(m.text, m.category) for m in marked] == [("you awful person", "hate")]


def test_case_carries_boxes_policy_text_and_author_history(sqlite_db, tmp_path):
    img = testing.synth_image(tmp_path / "graphic-1.png")
    testing.route(sqlite_db, Content(id="earlier", text="[hate=0.99] earlier", author_id="alice"))
    testing.route(sqlite_db, Content(id="c", text="look [violence=0.8]", image=str(img), author_id="alice"))
    with sqlite_db.session() as s:
        item = s.query(ReviewItem).filter_by(content_id="c").one()
        c = case.load(s, item.id, viewer="mia")
        assert c.evidence["image"][0]["box"] == list(testing.TEST_BOX)
        assert any(seg.category == "violence" for seg in c.segments)
        assert c.rules and c.rules[0].name == "violence_review"
        assert "rule(" in c.rules[0].source and c.rules[0].description
        assert c.author["strikes"] == 1 and [d.content_id for d in c.author_decisions] == ["earlier"]
        assert c.graphic


def test_qa_reviewers_do_not_see_the_first_verdict(sqlite_db, monkeypatch):
    monkeypatch.setenv("SEAWALL_QA_SHARE", "1")
    a = testing.add_user(sqlite_db, "ana", "moderator", ["hate"])
    testing.route(sqlite_db, Content(id="q", text="[hate=0.8] x"))
    with sqlite_db.session() as s:
        result = verdicts.decide(s, a, claims.claim_next(s, a, "hate").id, "remove", categories=["hate"])
        qa_case = case.load(s, result.qa_item_id, viewer="ben")
        assert qa_case.blind and qa_case.verdicts == []
