"""Author history: removals count once per item that stays down; second looks are not posts."""

from datetime import timedelta

from seawall import taxonomy
from seawall.actions.history import author_history
from seawall.storage import decisions as store
from seawall.storage.columns import utcnow
from seawall.types import Content, Decision


def stored(db, content_id, action, *, origin="api", at):
    decision = Decision(content_id=content_id, action=action, flagged=action != "allow",
                        categories={n: False for n in taxonomy.NAMES}, category_scores={})
    with db.session() as s:
        store.record(s, decision, Content(id=content_id, text="x", author_id="u1"), origin=origin, now=at)


def test_an_escalated_removal_a_specialist_then_banned_counts_once(db):
    now = utcnow()
    stored(db, "c1", "remove", at=now - timedelta(minutes=5))
    stored(db, "c1", "ban", origin="review", at=now)
    with db.session() as s:
        hist = author_history(s, "u1", now=now)
    assert hist["author"]["prior_removals"] == 1 and hist["rates"]["removals/1h"] == 1
    assert hist["rates"]["posts/1h"] == 1


def test_an_item_a_reviewer_restored_is_not_a_removal_until_removed_again(db):
    now = utcnow()
    stored(db, "c1", "remove", at=now - timedelta(hours=3))
    stored(db, "c1", "allow", origin="review", at=now - timedelta(hours=2))
    with db.session() as s:
        assert author_history(s, "u1", now=now)["author"]["prior_removals"] == 0
    stored(db, "c1", "remove", at=now - timedelta(minutes=1))   # edited and posted again, removed again
    with db.session() as s:
        hist = author_history(s, "u1", now=now)
    assert hist["author"]["prior_removals"] == 1 and hist["rates"]["removals/1h"] == 1


def test_removals_of_other_authors_and_old_ones_stay_out_of_the_windows(db):
    now = utcnow()
    stored(db, "c1", "remove_with_strike", at=now - timedelta(days=3))
    stored(db, "c2", "allow", at=now - timedelta(minutes=10))
    with db.session() as s:
        hist = author_history(s, "u1", now=now)
        assert author_history(s, "someone-else", now=now)["author"]["prior_removals"] == 0
    assert hist["author"]["prior_removals"] == 1 and hist["rates"]["removals/24h"] == 0
    assert hist["rates"]["removals/7d"] == 1 and hist["rates"]["posts/1h"] == 1
