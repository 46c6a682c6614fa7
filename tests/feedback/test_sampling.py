"""Active learning: the least certain automated decisions are sampled into review."""

from seawall.feedback import sample_uncertain
from seawall.feedback.sampling import uncertainty
from seawall.review import claims, testing, verdicts
from seawall.review.roles import SAMPLE_QUEUE
from seawall.types import Content


def test_uncertainty_peaks_at_the_threshold():
    assert uncertainty(0.5, 0.5) == 1.0
    assert uncertainty(0.0, 0.5) == 0.0 and uncertainty(1.0, 0.5) == 0.0
    assert uncertainty(0.3, 0.3) == 1.0 and uncertainty(0.9, 0.3) < uncertainty(0.35, 0.3)


def test_sampling_picks_near_threshold_items_that_nobody_reviews(sqlite_db):
    for cid, text in [("sure-no", "[harassment=0.02] fine"), ("unsure", "[harassment=0.45] hmm"),
                      ("unsure2", "[scam=0.4] maybe"), ("held", "[hate=0.55] routed already")]:
        testing.route(sqlite_db, Content(id=cid, text=text))
    with sqlite_db.session() as s:
        items = sample_uncertain(s, k=5, floor=0.7)
        picked = [i.content_id for i in items]
    assert picked[0] == "unsure" and set(picked) == {"unsure", "unsure2"}
    assert items[0].detail["uncertain"][0] == "harassment"
    with sqlite_db.session() as s:
        assert sample_uncertain(s, k=5, floor=0.7) == []     # not sampled twice


def test_a_sampled_item_reviewed_becomes_an_example_marked_sampled(sqlite_db):
    from seawall.feedback import LabelRecorder
    from seawall.feedback.examples import current_labels

    testing.route(sqlite_db, Content(id="unsure", text="[harassment=0.45] hmm"))
    mod = testing.add_user(sqlite_db, "mia", "moderator", [SAMPLE_QUEUE])
    with sqlite_db.session() as s:
        sample_uncertain(s, k=1)
    with sqlite_db.session() as s:
        claim = claims.claim_next(s, mod, SAMPLE_QUEUE)
        verdicts.decide(s, mod, claim.id, "allow", subscribers=[LabelRecorder()])
    with sqlite_db.session() as s:
        (label,) = list(current_labels(s, sampled_only=True))
        assert label.labels == {"harassment": 0} and label.provenance["sampled"]
