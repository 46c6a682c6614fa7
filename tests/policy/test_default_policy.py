"""The shipped default policy passes its own example tests, and test files fail clearly."""

import pytest

from seawall.policy import PolicyError, default_policy
from seawall.policy.loader import default_tests_path
from seawall.policy.testing import load_cases, run_case, run_tests

POLICY = default_policy()
CASES = load_cases(default_tests_path())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_default_policy_decides_its_examples(case):
    result = run_case(POLICY, case)
    assert result.ok, "\n".join(result.failures)


def test_default_policy_states_its_default_and_missing_meaning():
    assert POLICY.default.action == "allow"
    assert POLICY.on_missing.action == "review"


def test_a_failing_expectation_is_reported_with_the_reason(tmp_path):
    tests = tmp_path / "t.yaml"
    tests.write_text("- name: wrong on purpose\n  scores: {hate: 0.99}\n  expect: {action: allow}\n")
    [result] = run_tests(POLICY, tests)
    assert not result.ok and result.failures[0] == "action: expected allow, got remove_with_strike"


def test_unknown_keys_in_a_test_file_point_at_the_line(tmp_path):
    tests = tmp_path / "t.yaml"
    tests.write_text("- name: ok\n  expect: {action: allow}\n- name: typo\n  scorez: {hate: 1}\n"
                     "  expect: {action: allow}\n")
    with pytest.raises(PolicyError) as exc:
        load_cases(tests)
    assert (exc.value.line, "scorez") == (3, exc.value.message.split("'")[1])
