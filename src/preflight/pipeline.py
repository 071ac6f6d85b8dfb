"""The whole flow for one snapshot: load → validate → derive facts → evaluate → findings → report.

:func:`check` is the one entry point: the CLI, the web service and the audit workers all call it,
with raw text or parsed data. Each step lives in its own module and knows nothing of the others.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.util import find_spec
from typing import Any, Protocol

from .activation import Activation
from .facts import FactSet, derive_facts, phase_of
from .findings import build_findings
from .report import Report, build_report, invalid_report
from .rulebook import RuleBook, default_rulebook
from .snapshot_loader import MAX_SNAPSHOT_BYTES, UnreadableSnapshot, load_snapshot
from .snapshot_notices import unknown_fields
from .snapshot_validator import validate_snapshot
from .vocabulary import LANGUAGES

ENGINES = ("durable", "python")

__all__ = ["DEFAULT_ENGINE", "ENGINES", "LANGUAGES", "Engine", "EngineUnavailable", "available_engines", "check",
           "engine_unavailable", "get_engine"]


class EngineUnavailable(ValueError):
    """The engine asked for cannot run in this Python (durable-rules is not installed here)."""


def engine_unavailable(name: str) -> str | None:
    """Why engine ``name`` cannot run in this interpreter, or None when it can.

    durable-rules neither builds nor imports on Python 3.13, so it is installed only before 3.13
    (an environment marker in pyproject.toml); whether it is there is asked without importing it.
    """
    if name == "durable" and find_spec("durable_rules_engine") is None:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        return (f"engine 'durable' is not available on Python {version}: durable-rules does not install there; "
                f"use engine 'python'")
    return None


def available_engines() -> tuple[str, ...]:
    """The engines that can run in this interpreter."""
    return tuple(name for name in ENGINES if not engine_unavailable(name))


#: The engine used when none is named: durable-rules where it is installed, else the interpreter.
DEFAULT_ENGINE = "python" if engine_unavailable("durable") else "durable"


class Engine(Protocol):
    name: str
    rulebook: RuleBook

    def evaluate(self, factset: FactSet) -> list[Activation]: ...


@cache
def get_engine(name: str = DEFAULT_ENGINE, rulebook: RuleBook | None = None) -> Engine:
    """The evaluator called ``name`` for ``rulebook`` (default: the project's rules), built once."""
    rulebook = rulebook or default_rulebook()
    reason = engine_unavailable(name)
    if reason:
        raise EngineUnavailable(reason)
    if name == "durable":
        from .engine_durable import DurableEngine  # imported late: only this engine needs the C core

        return DurableEngine(rulebook)
    if name == "python":
        from .engine_python import PythonEngine

        return PythonEngine(rulebook)
    raise ValueError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")


def check(
    snapshot: bytes | str | Any,
    *,
    lang: str = "nl",
    engine: str = DEFAULT_ENGINE,
    readiness_only: bool = False,
    max_bytes: int = MAX_SNAPSHOT_BYTES,
    size: int | None = None,
) -> Report:
    """The report on one snapshot, given as JSON or YAML text (``bytes``/``str``) or parsed data.

    Unreadable or invalid input gives a report with verdict ``invalid`` (never an exception).
    ``readiness_only``: ignore the snapshot's migration request and check every administration
    of the source as an audit does (phase ``audit``); otherwise the snapshot says what it is.
    ``size``: the whole input's size when the text given is only its first bytes (a large file).
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
    evaluator = get_engine(engine)
    factset = derive_facts(snapshot, phase_of(snapshot, readiness_only))
    activations = evaluator.evaluate(factset)
    findings = build_findings(activations, factset, evaluator.rulebook, lang)
    return build_report(snapshot, factset.phase, findings, evaluator.rulebook, lang, notices)
