"""The whole flow for one snapshot: load → validate → derive facts → evaluate → findings → report.

Entry points (CLI, web, audit workers) call :func:`check_text` or :func:`check_data`; each step
lives in its own module and knows nothing of the others.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.util import find_spec
from typing import Any, Protocol

from .activation import Activation
from .facts import FactSet, derive_facts
from .findings import build_findings
from .report import Report, invalid_report, report_from_findings
from .rulebook import RuleBook, default_rulebook
from .snapshot_loader import UnreadableSnapshot, load_snapshot
from .snapshot_validator import validate_snapshot

ENGINES = ("durable", "python")
LANGUAGES = ("nl", "en")


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


def check_text(raw: bytes | str, *, lang: str = "nl", engine: str = DEFAULT_ENGINE) -> Report:
    """Report on a snapshot given as JSON or YAML text; unreadable input gives ``invalid``."""
    try:
        loaded = load_snapshot(raw)
    except UnreadableSnapshot as err:
        return invalid_report(err.problems, None, lang)
    return check_data(loaded.data, lang=lang, engine=engine)


def check_data(data: Any, *, lang: str = "nl", engine: str = DEFAULT_ENGINE) -> Report:
    """Report on an already parsed snapshot."""
    problems = validate_snapshot(data)
    taken_at = data.get("taken_at") if isinstance(data, dict) else None
    if problems:
        return invalid_report(problems, taken_at, lang)
    evaluator = get_engine(engine)
    factset = derive_facts(data)
    activations = evaluator.evaluate(factset)
    findings = build_findings(activations, factset, evaluator.rulebook, lang)
    return report_from_findings(findings, data["taken_at"], lang)
