"""Step 5 (for audits): two engines on every snapshot, and any difference an error, never a pick.

``--engine cross-check`` runs the compiled engine and a second one — durable-rules where it can be
imported, else the Python interpreter — and compares what the report is made of: the findings,
in report order, field by field. Equal findings give byte-identical reports (the context, the
plan and the batches are built from the snapshot and the findings alone), so the first differing
field is named as a path of the report's JSON, e.g. ``/findings/3/message``.
"""

from __future__ import annotations

from typing import Any, Protocol

from .activation import EngineError
from .findings import Finding
from .report import finding_sort_key
from .rulebook import RuleBook
from .vocabulary import Phase

#: How much of each differing value an error message quotes.
_QUOTE = 120


class FindingsEngine(Protocol):
    name: str
    rulebook: RuleBook

    def findings(self, snapshot: dict[str, Any], phase: Phase, lang: str) -> list[Finding]: ...


class CrossCheckFailed(EngineError):
    """The two engines disagree on a snapshot, or one of them could not evaluate it."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class CrossCheckEngine:
    """The compiled engine, checked against a second engine on every snapshot."""

    name = "cross-check"

    def __init__(self, primary: FindingsEngine, second: FindingsEngine) -> None:
        self.primary = primary
        self.second = second
        self.rulebook: RuleBook = primary.rulebook

    def warm_up(self) -> None:
        """Prepare both engines (the compiled one compiles every phase and language)."""
        for engine in (self.primary, self.second):
            prepare = getattr(engine, "warm_up", None)
            if prepare is not None:
                prepare()

    def findings(self, snapshot: dict[str, Any], phase: Phase, lang: str) -> list[Finding]:
        """The primary engine's findings, once the second engine has given the same."""
        results: list[list[Finding]] = []
        for engine in (self.primary, self.second):
            try:
                results.append(engine.findings(snapshot, phase, lang))
            except EngineError as err:
                message = f"cross-check: the {engine.name} engine could not evaluate the snapshot: {err}"
                raise CrossCheckFailed(message) from None
        ours, theirs = (_report_order(found) for found in results)
        difference = first_difference(ours, theirs, "/findings")
        if difference is not None:
            path, mine, other = difference
            mine_text, other_text = _quote_pair(mine, other)
            raise CrossCheckFailed(
                f"cross-check: the {self.primary.name} and {self.second.name} engines disagree at {path}: "
                f"{self.primary.name} gives {mine_text}, {self.second.name} gives {other_text}",
                path,
            )
        return results[0]


def _report_order(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in sorted(findings, key=finding_sort_key)]


_ABSENT = object()


def first_difference(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ, as (JSON pointer, value in a, value in b), or None.

    Mappings are compared key by key in a's order, then b's extra keys, then by the order of their
    keys (the same keys in another order are other bytes); lists item by item, then by length;
    anything else by type and value (so 1 and True differ, as they do in JSON).
    """
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            found = first_difference(a.get(key, _ABSENT), b.get(key, _ABSENT), f"{path}/{_escape(key)}")
            if found is not None:
                return found
        if list(a) != list(b):
            return path or "/", f"keys in the order {list(a)}", f"keys in the order {list(b)}"
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{path}/{index}")
            if found is not None:
                return found
        if len(a) != len(b):
            index = min(len(a), len(b))
            return f"{path}/{index}", _at(a, index), _at(b, index)
        return None
    if type(a) is not type(b) or a != b:
        return path or "/", a, b
    return None


def _at(items: list[Any], index: int) -> Any:
    return items[index] if index < len(items) else _ABSENT


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _quote_pair(a: Any, b: Any) -> tuple[str, str]:
    """Both values as text, short; two long texts from a little before where they part."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > _QUOTE:
        same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        start = max(0, same - 20)
        return _quote(a, start), _quote(b, start)
    return _quote(a), _quote(b)


def _quote(value: Any, start: int = 0) -> str:
    if value is _ABSENT:
        return "nothing"
    if isinstance(value, str) and start:
        value = value[start:]
    text = repr(value)
    if len(text) > _QUOTE:
        text = text[: _QUOTE - 1] + "…"
    return ("…" + text) if start else text
