"""Where policies come from: the default shipped in the package, a file, or SEAWALL_POLICY."""

from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path

from seawall.policy.compile import compile_policy
from seawall.policy.errors import PolicyError
from seawall.policy.rules import Policy

DEFAULT_NAME = "default.policy"
DEFAULT_TESTS = "default_tests.yaml"

_lock = threading.Lock()
_active: Policy | None = None


def default_source() -> str:
    return resources.files("seawall.policy").joinpath(DEFAULT_NAME).read_text(encoding="utf-8")


def default_tests_path() -> Path:
    return Path(str(resources.files("seawall.policy").joinpath(DEFAULT_TESTS)))


def default_policy() -> Policy:
    return compile_policy(default_source(), file=DEFAULT_NAME)


def load_policy(path: str | os.PathLike) -> Policy:
    """Compile a policy file; errors name the file, line and column."""
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read policy: {exc.strerror}", file=str(p), line=0, col=0) from None
    return compile_policy(source, file=str(p))


def active_policy() -> Policy:
    """The policy `decide` uses when given none: SEAWALL_POLICY's file, else the default."""
    global _active
    if _active is None:
        with _lock:
            if _active is None:
                path = os.environ.get("SEAWALL_POLICY")
                _active = load_policy(path) if path else default_policy()
    return _active


def set_active_policy(policy: Policy | None) -> None:
    """Replace the process-wide active policy (the API does this when a version is activated)."""
    global _active
    with _lock:
        _active = policy
