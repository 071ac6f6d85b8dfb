"""The whole flow for one snapshot: load → validate → derive facts → evaluate → findings → report.

Entry points (CLI, web, audit workers) call :func:`check_text` or :func:`check_data`; each step
lives in its own module and knows nothing of the others.
"""

from __future__ import annotations

from functools import cache
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


class Engine(Protocol):
    name: str
    rulebook: RuleBook

    def evaluate(self, factset: FactSet) -> list[Activation]: ...


@cache
def get_engine(name: str = "durable", rulebook: RuleBook | None = None) -> Engine:
    """The evaluator called ``name`` for ``rulebook`` (default: the project's rules), built once."""
    rulebook = rulebook or default_rulebook()
    if name == "durable":
        from .engine_durable import DurableEngine  # imported late: only this engine needs the C core

        return DurableEngine(rulebook)
    if name == "python":
        from .engine_python import PythonEngine

        return PythonEngine(rulebook)
    raise ValueError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")


def check_text(raw: bytes | str, *, lang: str = "nl", engine: str = "durable") -> Report:
    """Report on a snapshot given as JSON or YAML text; unreadable input gives ``invalid``."""
    try:
        loaded = load_snapshot(raw, lang=lang)
    except UnreadableSnapshot as err:
        return invalid_report(err.problems, None, lang)
    return check_data(loaded.data, lang=lang, engine=engine)


def check_data(data: Any, *, lang: str = "nl", engine: str = "durable") -> Report:
    """Report on an already parsed snapshot."""
    problems = validate_snapshot(data, lang=lang)
    taken_at = data.get("taken_at") if isinstance(data, dict) else None
    if problems:
        return invalid_report(problems, taken_at, lang)
    evaluator = get_engine(engine)
    factset = derive_facts(data)
    activations = evaluator.evaluate(factset)
    findings = build_findings(activations, factset, evaluator.rulebook, lang)
    return report_from_findings(findings, data["taken_at"], lang)
