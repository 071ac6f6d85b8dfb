"""Input problems: one contract violation or parse error, kept as a value (never raised alone)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class InputProblem:
    """One reason a snapshot cannot be evaluated, located by JSON pointer and/or line and column."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report form: path and message, plus line and column when known."""
        out: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        if self.column is not None:
            out["column"] = self.column
        return out

    def where(self) -> str:
        """A human location: 'line 3, column 5' or the JSON pointer (or '/' for the whole document)."""
        if self.line is not None:
            return f"line {self.line}, column {self.column or 1}"
        return self.path or "/"


def json_pointer(parts: Any) -> str:
    """RFC 6901 pointer for a sequence of keys and indexes."""
    out = []
    for part in parts:
        out.append("/" + str(part).replace("~", "~0").replace("/", "~1"))
    return "".join(out)
