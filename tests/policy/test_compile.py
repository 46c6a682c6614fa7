"""The policy compiler: valid files compile; invalid ones fail like a compiler, at file:line:col."""

from pathlib import Path

import pytest

from seawall.policy import PolicyError, compile_policy

HEAD = 'policy(version="t1", default=allow, on_missing=review(queue="missing"))\n'
SNAPSHOTS = Path(__file__).parent / "snapshots" / "errors.txt"


def error_of(body: str, head: str = HEAD) -> str:
    with pytest.raises(PolicyError) as exc:
        compile_policy(head + body, file="t.policy")
    return exc.value.render()


def test_minimal_policy_compiles_with_named_conditions_and_rules():
    p = compile_policy(HEAD + 'bad = score("hate") >= 0.9\nr = rule(when=bad, then=remove)\n')
    assert p.version == "t1"
    assert [r.name for r in p.rules] == ["r"]
    assert list(p.conditions) == ["bad"]
    assert p.graph()["r"] == ["bad"]


CASES = {
    "unknown category": 'r = rule(when=score("hat") >= 0.5, then=remove)\n',
    "number used as condition": 'r = rule(when=score("hate"), then=remove)\n',
    "unknown function": 'r = rule(when=scor("hate") >= 0.5, then=remove)\n',
    "name used before definition": 'r = rule(when=later, then=remove)\nlater = score("hate") > 0.1\n',
    "name assigned twice": 'a = score("hate") > 0.1\na = score("spam") > 0.1\n',
    "unknown effect": 'r = rule(when=score("hate") > 0.5, then=delete)\n',
    "bad effect argument": 'r = rule(when=score("hate") > 0.5, then=review(priority=3))\n',
    "loops are not part of the language": 'for x in []:\n    pass\n',
    "imports are refused": 'import os\n',
    "attribute access is refused": 'r = rule(when=os.system("x") == 0, then=remove)\n',
    "unknown author field": 'r = rule(when=author.karma > 3, then=remove)\n',
    "comparing strings by order": 'r = rule(when=lang > "en", then=remove)\n',
    "syntax error": 'r = rule(when=score("hate") >=, then=remove)\n',
    "rule without then": 'r = rule(when=score("hate") > 0.5)\n',
    "unknown rule argument": 'r = rule(when=score("hate") > 0.5, then=remove, colour="red")\n',
}


def render_all() -> str:
    out = []
    for name, body in CASES.items():
        out.append(f"## {name}\n{error_of(body)}\n")
    no_missing = error_of("", head='policy(version="x", default=allow)')
    no_settings = error_of("r = rule(when=True, then=remove)", head="")
    out.append(f"## missing on_missing\n{no_missing}\n")
    out.append(f"## no settings\n{no_settings}\n")
    return "\n".join(out)


def test_error_messages_match_snapshot():
    """Errors read like a compiler's; set SEAWALL_UPDATE_SNAPSHOTS=1 to rewrite after a deliberate change."""
    import os

    text = render_all()
    if os.environ.get("SEAWALL_UPDATE_SNAPSHOTS") == "1" or not SNAPSHOTS.exists():
        SNAPSHOTS.write_text(text)
    assert text == SNAPSHOTS.read_text()


def test_error_points_at_line_and_column_of_the_bad_token():
    with pytest.raises(PolicyError) as exc:
        compile_policy(HEAD + '\nr = rule(when=score("hat") >= 0.5, then=remove)\n', file="p.policy")
    err = exc.value
    assert (err.file, err.line, err.col) == ("p.policy", 3, 21)
    assert "did you mean 'hate'?" in err.render()
    assert err.render().splitlines()[2].index("^") == 4 + 20


def test_every_error_names_file_line_and_column():
    for body in CASES.values():
        first = error_of(body).splitlines()[0]
        assert first.startswith("t.policy:") and ": error: " in first


def test_nothing_in_a_policy_runs_as_python(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(PolicyError):
        compile_policy(HEAD + f'r = rule(when=open("{marker}", "w") == 1, then=remove)\n')
    assert not marker.exists()


def test_thresholds_override_must_name_categories_and_be_probabilities():
    assert "unknown category" in error_of("", head='policy(version="x", default=allow, on_missing="ignore", '
                                               'thresholds={"hat": 0.5})')
    assert "within 0..1" in error_of("", head='policy(version="x", default=allow, on_missing="ignore", '
                                             'thresholds={"hate": 1.5})')
