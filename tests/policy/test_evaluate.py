"""Evaluation: three-valued logic, the missing-signal meaning, thresholds, ladder and routing."""

import pytest

from seawall import taxonomy
from seawall.policy import compile_policy, decide
from seawall.policy import thresholds as threshold_source
from seawall.types import Content, Signal

HEAD = 'policy(version="t", default=allow, on_missing=review(queue="missing-signals"))\n'


def text_signal(**scores):
    base = {c.name: 0.0 for c in taxonomy.CATEGORIES if "text" in c.input_types}
    base.update({k.replace("_", "/"): v for k, v in scores.items()})
    return Signal("t.v1", "text", base)


def test_decision_carries_every_taxonomy_category():
    d = decide(Content(id="a", text="x"), [text_signal(hate=0.7)], policy=compile_policy(HEAD))
    assert set(d.categories) == set(taxonomy.NAMES) == set(d.category_scores)
    assert d.categories["hate"] is True and d.categories["spam"] is False
    assert d.category_scores["hate"] == 0.7


def test_category_score_is_the_max_over_signals():
    a, b = text_signal(hate=0.2), Signal("ocr.v1", "text", {"hate": 0.8})
    d = decide(Content(id="a", text="x"), [a, b], policy=compile_policy(HEAD))
    assert d.category_scores["hate"] == 0.8


def test_strongest_rung_wins_and_all_fired_rules_are_listed():
    p = compile_policy(HEAD + 'a = rule(when=score("hate") > 0.5, then=label("x"))\n'
                              'b = rule(when=score("hate") > 0.6, then=remove)\n'
                              'c = rule(when=score("hate") > 0.9, then=ban)\n')
    d = decide(Content(id="a", text="x"), [text_signal(hate=0.7)], policy=p)
    assert (d.action, d.rules) == ("remove", ("a", "b"))


def test_default_applies_when_no_rule_holds():
    p = compile_policy('policy(version="t", default=review(queue="all"), on_missing="ignore")\n'
                       'r = rule(when=score("hate") > 0.5, then=remove)\n')
    d = decide(Content(id="a", text="x"), [text_signal()], policy=p)
    assert d.action == "review" and d.meta["used_default"] and d.meta["queues"][0]["queue"] == "all"


def test_missing_signal_follows_the_policy_meaning_not_silent_allow():
    p = compile_policy(HEAD + 'r = rule(when=score("hate") > 0.5, then=remove)\n')
    d = decide(Content(id="a", text="x"), [], policy=p)  # no classifier answered
    assert d.action == "review"
    assert d.meta["missing"] == ["hate"] and d.meta["unknown_rules"] == ["r"]
    assert d.meta["queues"][0]["queue"] == "missing-signals"


def test_rule_can_state_its_own_missing_meaning():
    p = compile_policy(HEAD + 'r = rule(when=score("hate") > 0.5, then=remove, on_missing="ignore")\n'
                              's = rule(when=score("spam", missing=1) > 0.5, then=limit_reach)\n')
    d = decide(Content(id="a", text="x"), [], policy=p)
    assert (d.action, d.rules) == ("limit_reach", ("s",))


def test_false_and_missing_is_false_true_or_missing_is_true():
    p = compile_policy(HEAD + 'a = rule(when=score("spam") > 0.5 and score("hate") > 0.5, then=remove)\n'
                              'b = rule(when=score("spam") < 0.5 or score("hate") > 0.5, then=label("ok"))\n')
    only_spam = Signal("spam.v1", "text", {"spam": 0.1})
    d = decide(Content(id="a", text="x"), [only_spam], policy=p)
    assert d.rules == ("b",) and "a" not in d.meta["unknown_rules"]


def test_categories_that_do_not_apply_are_zero_not_missing():
    p = compile_policy(HEAD + 'r = rule(when=score("nudity") > 0.5, then=remove)\n')
    d = decide(Content(id="a", text="just words"), [text_signal()], policy=p)  # nudity is image-only
    assert d.action == "allow" and d.meta["missing"] == []


def test_bank_match_reads_bank_signals_by_name():
    p = compile_policy(HEAD + 'r = rule(when=bank_match("confirmed-violence"), then=remove_with_strike)\n'
                              'any_bank = rule(when=bank_match(), then=label("banked"))\n')
    bank = Signal("bank:confirmed-violence", "image", {"violence/graphic": 1.0},
                  meta={"bank": "confirmed-violence", "matches": [{"entry_id": "e1", "distance": 3}]})
    d = decide(Content(id="a", image="x.jpg"), [bank], policy=p)
    assert d.action == "remove_with_strike" and set(d.rules) == {"r", "any_bank"}


def test_threshold_comes_from_the_classifier_so_retraining_moves_it(monkeypatch):
    p = compile_policy(HEAD + 'r = rule(when=flagged("hate"), then=remove)\n'
                              's = rule(when=score("hate") >= threshold("hate") + 0.1, then=ban)\n')
    content, sig = Content(id="a", text="x"), [text_signal(hate=0.45)]
    assert decide(content, sig, policy=p).action == "allow"     # default 0.5
    monkeypatch.setattr(threshold_source, "classifier_thresholds", lambda: {"hate": 0.3})
    d = decide(content, sig, policy=p)
    assert d.action == "ban" and d.categories["hate"] is True and d.meta["thresholds"]["hate"] == 0.3


def test_policy_thresholds_override_the_classifier(monkeypatch):
    monkeypatch.setattr(threshold_source, "classifier_thresholds", lambda: {"hate": 0.3})
    p = compile_policy('policy(version="t", default=allow, on_missing="ignore", thresholds={"hate": 0.9})\n'
                       'r = rule(when=flagged("hate"), then=remove)\n')
    assert decide(Content(id="a", text="x"), [text_signal(hate=0.5)], policy=p).action == "allow"


@pytest.mark.parametrize("condition, facts, holds", [
    ('lang in ("en", "de")', {"lang": "de"}, True),
    ('lang in ("en", "de")', {"lang": None}, False),
    ('surface == "comment"', {"surface": "comment"}, True),
    ('surface not in ("video",)', {"surface": None}, True),
    ('has("image")', {"image": "x.png"}, True),
    ('author.strikes >= 2', {"meta": {"author": {"strikes": 2}}}, True),
    ('author.account_age_days < 7', {"meta": {"author": {"account_age_days": 30}}}, False),
    ('rate("posts", "1h") >= 20', {"meta": {"rates": {"posts/1h": 25}}}, True),
    ('0.2 <= score("spam") < 0.6', {}, True),
])
def test_conditions_read_item_facts(condition, facts, holds):
    p = compile_policy('policy(version="t", default=allow, on_missing="ignore")\n'
                       f'r = rule(when={condition}, then=label("hit"))\n')
    kwargs = {"text": "x", **facts}
    d = decide(Content(id="a", **kwargs), [text_signal(spam=0.3)], policy=p)
    assert (d.rules == ("r",)) is holds


def test_missing_author_history_is_unknown_for_known_authors_and_zero_for_anonymous():
    p = compile_policy(HEAD + 'r = rule(when=author.strikes >= 2, then=suspend)\n')
    signed = decide(Content(id="a", text="x", author_id="u1"), [text_signal()], policy=p)
    anonymous = decide(Content(id="b", text="x"), [text_signal()], policy=p)
    assert signed.meta["unknown_rules"] == ["r"] and signed.action == "review"
    assert anonymous.action == "allow"


def test_review_priority_grows_with_severity_and_reach():
    p = compile_policy(HEAD + 'h = rule(when=flagged("hate/threatening"), then=review("q"), '
                              'category="hate/threatening")\n'
                              's = rule(when=flagged("spam"), then=review("q"), category="spam")\n')
    def prio(reach, **scores):
        d = decide(Content(id="a", text="x", meta={"reach": reach}), [text_signal(**scores)], policy=p)
        return d.meta["queues"][0]["priority"]
    assert prio(0, hate_threatening=0.9) > prio(0, spam=0.9)
    assert prio(100_000, spam=0.9) > prio(10, spam=0.9)


def test_plain_review_is_dropped_when_the_item_is_removed_but_escalations_stay():
    p = compile_policy(HEAD + 'a = rule(when=score("hate") > 0.5, then=review("hate"))\n'
                              'b = rule(when=score("hate") > 0.9, then=[remove, escalate("experts")])\n')
    d = decide(Content(id="a", text="x"), [text_signal(hate=0.95)], policy=p)
    assert d.action == "remove" and [q["queue"] for q in d.meta["queues"]] == ["experts"]


def test_decision_records_signals_models_and_policy_version():
    p = compile_policy(HEAD)
    d = decide(Content(id="a", text="x"), [text_signal(hate=0.1)], policy=p)
    assert d.policy_version == "t" and d.meta["models"] == ["t.v1"] and d.meta["policy_sha256"] == p.sha256
    assert d.meta["signals"][0]["scores"]["hate"] == 0.1


def test_decide_without_policy_uses_the_default():
    d = decide(Content(id="a", text="x"), [text_signal(hate=0.99)])
    assert d.policy_version.startswith("default-") and d.action == "remove_with_strike"
