"""Policy errors that read like a compiler's: file, line, column, the line itself, a caret, a hint."""

from __future__ import annotations

from seawall.errors import SeawallError


class PolicyError(SeawallError):
    """A policy that does not compile, or a policy test file that does not load."""

    code = "policy_invalid"
    http_status = 422

    def __init__(self, message: str, *, file: str = "<policy>", line: int = 0, col: int = 0,
                 source_line: str = "", hint: str = "", end_col: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col          # 1-based, as editors count
        self.end_col = end_col
        self.source_line = source_line
        self.hint = hint

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """`file:line:col: error: message`, then the offending line with a caret under it."""
        out = [f"{self.file}:{self.line}:{self.col}: error: {self.message}"]
        if self.source_line:
            width = max(1, (self.end_col or self.col + 1) - self.col) if self.end_col else 1
            out.append(f"    {self.source_line.rstrip()}")
            out.append("    " + " " * max(0, self.col - 1) + "^" + "~" * (width - 1))
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "file": self.file, "line": self.line,
                "column": self.col, "hint": self.hint, "rendered": self.render()}
