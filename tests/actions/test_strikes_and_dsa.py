"""The strike ledger and DSA statements of reasons, written once per decision."""

from datetime import timedelta

from seawall.actions import dsa, strikes
from seawall.api.testing import fake_moderate
from seawall.policy import compile_policy, default_policy
from seawall.storage import decisions as store
from seawall.storage.columns import utcnow
from seawall.types import Content


def stored(s, text, *, author_id="u1", strikes=None, policy=None, n=0):
    meta = {"author": {"strikes": strikes}} if strikes is not None else {}
    content = Content(id=f"c{n}", text=text, author_id=author_id, lang="en", meta=meta)
    row, _ = store.record(s, fake_moderate(content, policy=policy), content)
    return row


def test_a_strike_is_written_once_however_often_enforcement_runs(db):
    with db.session() as s:
        row = stored(s, "[hate=0.99]", strikes=0)
        assert row.action == "remove_with_strike"
        first = strikes.apply(s, row)
        second = strikes.apply(s, row)
        assert [e.id for e in first] == [e.id for e in second]
        assert strikes.active_strikes(s, "u1") == 1


def test_suspension_is_recorded_with_its_end(db):
    with db.session() as s:
        row = stored(s, "[harassment/threatening=0.95]", strikes=2)
        assert row.action == "suspend"
        kinds = [e.kind for e in strikes.apply(s, row)]
        status = strikes.account_status(s, "u1")
    assert kinds == ["strike", "suspension"] and status["status"] == "suspended"


def test_expired_and_reversed_strikes_do_not_count(db):
    with db.session() as s:
        [a] = strikes.apply(s, stored(s, "[hate=0.99]", n=1, strikes=0))
        strikes.apply(s, stored(s, "[hate=0.99]", n=2, strikes=0))
        assert strikes.active_strikes(s, "u1") == 2
        strikes.reverse(s, a.id, "appeal upheld")
        assert strikes.active_strikes(s, "u1") == 1
        assert strikes.active_strikes(s, "u1", now=utcnow() + timedelta(days=91)) == 0


def test_statement_uses_transparency_database_fields(db):
    policy = default_policy()
    with db.session() as s:
        row = stored(s, "[harassment/threatening=0.95]", strikes=2, policy=policy)
        st = dsa.record(s, row, platform=dsa.Platform(platform_id="p1", terms_url="https://x/tos"),
                        policy_rules={r.name: {"category": r.category, "ground": r.ground,
                                               "description": r.description} for r in policy.rules})
        body = st.body
    assert body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert body["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert body["decision_provision"] == "DECISION_PROVISION_TOTAL_SUSPENSION"
    assert body["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert body["incompatible_content_illegal"] == "No"
    assert body["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert body["category_specification"] == ["KEYWORD_ONLINE_BULLYING_INTIMIDATION"]
    assert body["content_type"] == ["CONTENT_TYPE_TEXT"] and body["content_language"] == "EN"
    assert body["automated_detection"] == "Yes" and body["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert body["puid"] == row.id and "end_date_account_restriction" in body
    assert body["decision_ground_reference_url"] == "https://x/tos" and "territorial_scope" in body
    assert "harassment/threatening" in body["decision_facts"]


def test_illegal_ground_carries_legal_ground_and_explanation(db):
    policy = compile_policy('policy(version="t", default=allow, on_missing="ignore")\n'
                            'r = rule(when=score("illicit/violent") > 0.5, then=remove, '
                            'category="illicit/violent", ground="illegal", description="Terror content.")\n')
    with db.session() as s:
        row = stored(s, "[illicit/violent=0.9]", policy=policy)
        body = dsa.build(row, platform=dsa.Platform(), policy_rules={"r": {"category": "illicit/violent",
                                                                          "ground": "illegal",
                                                                          "description": "Terror content."}})
    assert body["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert body["illegal_content_explanation"] == "Terror content."
    assert "2021/784" in body["illegal_content_legal_ground"]


def test_allowed_and_held_items_get_no_statement(db):
    with db.session() as s:
        assert dsa.record(s, stored(s, "fine", n=1), platform=dsa.Platform()) is None
        assert dsa.record(s, stored(s, "[hate=0.7]", n=2), platform=dsa.Platform()) is None  # review


def test_export_pages_through_statements_at_most_100_at_a_time(db):
    with db.session() as s:
        for n in range(105):
            dsa.record(s, stored(s, "[spam=0.99]", n=n, author_id=None), platform=dsa.Platform())
    with db.session() as s:
        first = dsa.export_batch(s, limit=500, mark=True)
        second = dsa.export_batch(s, after=first["next"])
        fresh = dsa.export_batch(s, only_new=True)
    assert len(first["statements"]) == 100 and len(second["statements"]) == 5 and second["next"] is None
    assert len(fresh["statements"]) == 5
    assert first["statements"][0]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DEMOTED"]
