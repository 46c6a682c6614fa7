"""Policy: a small rules language that turns signals into decisions on an enforcement ladder."""

from seawall.policy.compile import compile_policy
from seawall.policy.effects import LADDER, Effect
from seawall.policy.errors import PolicyError
from seawall.policy.evaluate import Outcome, decide, evaluate
from seawall.policy.explain import explain_json, outcome_for, render
from seawall.policy.facts import Facts, gather
from seawall.policy.loader import active_policy, default_policy, load_policy, set_active_policy
from seawall.policy.rules import Policy, Rule

__all__ = [
    "LADDER", "Effect", "Facts", "Outcome", "Policy", "PolicyError", "Rule",
    "active_policy", "compile_policy", "decide", "default_policy", "evaluate", "explain_json",
    "gather", "load_policy", "outcome_for", "render", "set_active_policy",
]
