"""The whole flow for one snapshot: load → validate → derive facts → evaluate → findings → report.

:func:`check` is the one entry point: the CLI, the web service and the audit workers all call it,
with raw text or parsed data. Each step lives in its own module and knows nothing of the others.
"""

from __future__ import annotations

from functools import cache
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
DEFAULT_ENGINE = "durable"

__all__ = ["DEFAULT_ENGINE", "ENGINES", "LANGUAGES", "Engine", "check", "get_engine"]


class Engine(Protocol):
    name: str
    rulebook: RuleBook

    def evaluate(self, factset: FactSet) -> list[Activation]: ...


@cache
def get_engine(name: str = DEFAULT_ENGINE, rulebook: RuleBook | None = None) -> Engine:
    """The evaluator called ``name`` for ``rulebook`` (default: the project's rules), built once."""
    rulebook = rulebook or default_rulebook()
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
