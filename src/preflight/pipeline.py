"""The whole flow for one snapshot: load → validate → derive facts → evaluate → findings → report.

:func:`check` is the one entry point: the CLI, the web service and the audit workers all call it,
with raw text or parsed data. Each step lives in its own module and knows nothing of the others;
an engine turns a valid snapshot into findings — the compiled engine in one generated function,
the others step by step (facts, activations, findings).
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.util import find_spec
from typing import Any, Protocol

from .activation import EngineError
from .facts import phase_of
from .findings import Finding
from .report import Report, build_report, invalid_report
from .rulebook import RuleBook, default_rulebook
from .snapshot_loader import MAX_SNAPSHOT_BYTES, UnreadableSnapshot, load_snapshot
from .snapshot_notices import unknown_fields
from .snapshot_validator import validate_snapshot
from .vocabulary import LANGUAGES, Phase

#: compiled: the default (the rules compiled to Python); durable: durable-rules (Python 3.11 and
#: 3.12 only); python: the interpreter of the rule language; cross-check: compiled and a second
#: engine on every snapshot, any difference an error.
ENGINES = ("compiled", "durable", "python", "cross-check")
DEFAULT_ENGINE = "compiled"
#: The engines that evaluate rules themselves (cross-check runs two of them).
EVALUATORS = ("compiled", "durable", "python")

__all__ = ["DEFAULT_ENGINE", "ENGINES", "EVALUATORS", "LANGUAGES", "Engine", "EngineError", "EngineUnavailable",
           "available_engines", "check", "engine_unavailable", "get_engine"]


class Engine(Protocol):
    name: str
    rulebook: RuleBook

    def findings(self, snapshot: dict[str, Any], phase: Phase, lang: str) -> list[Finding]: ...


class EngineUnavailable(EngineError, ValueError):
    """The engine asked for cannot run in this Python (durable-rules does not import here)."""


def engine_unavailable(name: str) -> str | None:
    """Why engine ``name`` cannot run in this interpreter, or None when it can.

    durable-rules neither builds nor imports on Python 3.13, so it is installed only before 3.13
    (an environment marker in pyproject.toml); whether it is there is asked without importing it.
    """
    if name == "durable" and find_spec("durable_rules_engine") is None:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        return (f"engine 'durable' is not available on Python {version}: durable-rules does not install there; "
                f"use engine 'compiled' or 'python'")
    return None


def available_engines() -> tuple[str, ...]:
    """The evaluators that can run here (every rule example and the differential tests use them)."""
    return tuple(name for name in EVALUATORS if engine_unavailable(name) is None)


@cache
def get_engine(name: str = DEFAULT_ENGINE, rulebook: RuleBook | None = None) -> Engine:
    """The evaluator called ``name`` for ``rulebook`` (default: the project's rules), built once."""
    rulebook = rulebook or default_rulebook()
    reason = engine_unavailable(name)
    if reason:
        raise EngineUnavailable(reason)
    if name == "compiled":
        from .engine_compiled import CompiledEngine

        return CompiledEngine(rulebook)
    if name == "durable":
        try:  # imported late: only this engine needs the C core, which Python 3.13 cannot import
            from .engine_durable import DurableEngine
        except ImportError as err:
            raise EngineUnavailable(f"engine 'durable' is not available here: durable-rules cannot be imported "
                                    f"({err}); use engine 'compiled' or 'python'") from None
        return DurableEngine(rulebook)
    if name == "python":
        from .engine_python import PythonEngine

        return PythonEngine(rulebook)
    if name == "cross-check":
        from .cross_check import CrossCheckEngine

        try:
            second = get_engine("durable", rulebook)
        except EngineUnavailable:
            second = get_engine("python", rulebook)
        return CrossCheckEngine(get_engine("compiled", rulebook), second)
    raise ValueError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")


def check(
    snapshot: bytes | str | Any,
    *,
    lang: str = "nl",
    engine: str = DEFAULT_ENGINE,
    readiness_only: bool = False,
    max_bytes: int = MAX_SNAPSHOT_BYTES,
    size: int | None = None,
    rulebook: RuleBook | None = None,
) -> Report:
    """The report on one snapshot, given as JSON or YAML text (``bytes``/``str``) or parsed data.

    Unreadable or invalid input gives a report with verdict ``invalid`` (never an exception).
    ``readiness_only``: ignore the snapshot's migration request and check every administration
    of the source as an audit does (phase ``audit``); otherwise the snapshot says what it is.
    ``size``: the whole input's size when the text given is only its first bytes (a large file).
    ``rulebook``: another rule book than the project's (tests, the rule fuzzer).
    Raises :class:`EngineError` when the engine cannot evaluate a valid snapshot (e.g. the
    cross-check finds the engines disagree).
    """
    if isinstance(snapshot, (bytes, str)):
        try:
            snapshot = load_snapshot(snapshot, max_bytes=max_bytes, lang=lang, size=size).data
        except UnreadableSnapshot as err:
            return invalid_report(err.problems, None, lang, unreadable=err.kind)
    problems = validate_snapshot(snapshot, lang=lang)
    # A field the contract does not know is never an error, and never passed over in silence:
    # a misspelt optional field (newcode for new_code) would change the verdict unnoticed.
    notices = tuple(unknown_fields(snapshot, lang))
    if problems:
        taken_at = snapshot.get("taken_at") if isinstance(snapshot, dict) else None
        return invalid_report(problems, taken_at, lang, notices=notices)
    evaluator = get_engine(engine, rulebook)
    phase = phase_of(snapshot, readiness_only)
    findings = evaluator.findings(snapshot, phase, lang)
    return build_report(snapshot, phase, findings, evaluator.rulebook, lang, notices)
