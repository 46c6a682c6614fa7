"""Explain says why; shadow candidates decide on live's signals and are compared, not enforced."""

from seawall import taxonomy
from seawall.policy import compile_policy, decide, default_policy, explain_json, outcome_for, render
from seawall.policy.shadow import Comparison, shadow_decide, signals_of
from seawall.types import Content, Signal


def sig(**scores):
    base = {c.name: 0.0 for c in taxonomy.CATEGORIES if "text" in c.input_types}
    base.update(scores)
    return [Signal("t.v1", "text", base)]


def test_explain_names_the_rules_that_held_and_the_facts_they_read():
    content = Content(id="c1", text="x", author_id="u", meta={"author": {"strikes": 2}})
    text = render(outcome_for(content, sig(harassment=0.99), default_policy()), item_id="c1")
    assert "item c1: suspend" in text
    assert "+ harassment_remove" in text and "+ third_strike" in text
    assert 'score("harassment") = 0.99' in text and "author.strikes = 2" in text


def test_explain_json_lists_every_rule_with_its_value():
    out = explain_json(outcome_for(Content(id="c", text="x"), sig(), default_policy()))
    assert out["action"] == "allow" and out["used_default"] is True
    assert {r["rule"] for r in out["rules"]} == {r.name for r in default_policy().rules}


def test_shadow_candidate_sees_the_live_signals():
    live_policy = default_policy()
    candidate = compile_policy('policy(version="strict", default=allow, on_missing="ignore")\n'
                               'r = rule(when=score("hate") > 0.3, then=remove)\n')
    content = Content(id="c", text="x")
    live = decide(content, sig(hate=0.4), policy=live_policy)
    [shadow] = shadow_decide(content, live, [candidate])
    assert live.action == "allow" and shadow.action == "remove"
    assert signals_of(live)[0].scores["hate"] == 0.4


def test_comparison_counts_agreement_and_direction():
    c = Comparison("cand")
    c.add("a", "allow", "allow")
    c.add("b", "allow", "remove")
    c.add("c", "remove", "review")
    out = c.to_json()
    assert (out["total"], out["agree"], out["stricter"], out["looser"]) == (3, 1, 1, 1)
    assert out["examples"][0]["content_id"] == "b"
