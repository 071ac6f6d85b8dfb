"""Step 7: the report — verdict, phase, context, plan, batches and findings, or the input errors.

Report version 2 (report.md): the same snapshot always gives the same bytes. Findings are sorted
blocking, advisory, info, then by subject, then by rule; the plan refers to them by index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from .context import Context, build_context
from .findings import Finding
from .plan import Batches, PlanStep, build_batches, build_plan
from .problems import InputProblem
from .rulebook import RuleBook
from .vocabulary import SEVERITY_RANK, Phase, Verdict
from .wording import DisplayNames

REPORT_VERSION = 2
#: Most findings a report lists (blocking first). The verdict, summary, plan and batches count
#: every finding; past this the report says how many it leaves out. A snapshot within the input
#: limits can give ~80,000 findings (an audit of 10,000 administrations): listed, that answer
#: would run to tens of megabytes, and nobody reads it on a page or on the phone.
MAX_LISTED_FINDINGS = 1000


class Notice(Protocol):
    """Something the reader should know about the input that does not make it invalid."""

    path: str
    message: str

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Report:
    """What preflight says about one snapshot (report.md, v2)."""

    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    errors: tuple[InputProblem, ...] = ()
    taken_at: str | None = None
    lang: str = "nl"
    phase: Phase | None = None
    context: Context | None = None
    plan: tuple[PlanStep, ...] = ()
    batches: Batches | None = None
    notices: tuple[Notice, ...] = ()
    #: Why the input could not be read at all ('too_large', 'encoding', 'syntax'), or None.
    #: Not part of the report's JSON: the web service answers 413 or 400 by it.
    unreadable: str | None = None
    #: The display names of the rule book that made the report (for the renderers; not in JSON).
    names: DisplayNames | None = field(default=None, compare=False, repr=False)
    #: Findings per severity, all of them, when the report lists only the first
    #: :data:`MAX_LISTED_FINDINGS`; None: the summary counts the listed findings.
    totals: dict[str, int] | None = None

    @property
    def summary(self) -> dict[str, int]:
        """Findings per severity — every finding, listed or not."""
        if self.totals is not None:
            return dict(self.totals)
        return _count(self.findings)

    @property
    def omitted(self) -> int:
        """How many findings the report does not list (past :data:`MAX_LISTED_FINDINGS`)."""
        return sum(self.summary.values()) - len(self.findings)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"report_version": REPORT_VERSION, "verdict": self.verdict}
        if self.verdict != "invalid":
            out["phase"] = self.phase
        out["summary"] = self.summary
        if self.verdict != "invalid" and self.context is not None and self.batches is not None:
            out["context"] = self.context.to_dict()
            out["plan"] = [step.to_dict() for step in self.plan]
            out["batches"] = self.batches.to_dict()
        out["findings"] = [f.to_dict() for f in self.findings]
        if self.omitted:
            out["findings_omitted"] = self.omitted
        out["errors"] = [e.to_dict() for e in self.errors]
        out["notices"] = [n.to_dict() for n in self.notices]
        out["taken_at"] = self.taken_at
        out["lang"] = self.lang
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (``indent`` 2, or None: compact); the same report always gives
        the same bytes."""
        return dump_json(self.to_dict(), indent)


def dump_json(data: Any, indent: int | None = 2) -> str:
    """JSON text of report data, with a final newline: indented by 2, or compact (no spaces).

    orjson writes it (a report of 20 findings in ~20 µs where the standard library takes ~350 µs
    here); for what orjson refuses — integers beyond 64 bits, which a snapshot may hold — the
    standard library writes the very same bytes (a test holds the two equal)."""
    try:
        import orjson

        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else 0).decode() + "\n"
    except (ImportError, TypeError):
        if indent:
            return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def finding_sort_key(finding: Finding) -> tuple[Any, ...]:
    """blocking, advisory, info; then subject; then rule; then the text (same rule, same subject)."""
    return (*_leading_key(finding), _evidence_key(finding))


def _leading_key(finding: Finding) -> tuple[Any, ...]:
    return (SEVERITY_RANK[finding.severity], finding.subject, finding.rule, finding.message)


def _evidence_key(finding: Finding) -> str:
    return json.dumps(finding.evidence, sort_keys=True, ensure_ascii=False)


def sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """The findings in :func:`finding_sort_key` order. The evidence (as JSON text) decides only
    between findings alike in all else, so it is written out only for those: on a large office
    that text was most of the sorting's cost."""
    keyed = sorted(((_leading_key(f), i) for i, f in enumerate(findings)), key=lambda pair: pair[0])
    out: list[Finding] = []
    start = 0
    while start < len(keyed):
        end = start + 1
        lead = keyed[start][0]
        while end < len(keyed) and keyed[end][0] == lead:
            end += 1
        alike = [findings[i] for _, i in keyed[start:end]]
        out.extend(alike if end - start == 1 else sorted(alike, key=_evidence_key))
        start = end
    return tuple(out)


def verdict_of(phase: Phase, findings: tuple[Finding, ...]) -> Verdict:
    """completed after completion (only after-rules ran); else blocked by any blocking finding."""
    if phase == "completed":
        return "completed"
    return "blocked" if any(f.severity == "blocking" for f in findings) else "ready"


def build_report(
    snapshot: dict[str, Any],
    phase: Phase,
    findings: list[Finding],
    rulebook: RuleBook,
    lang: str,
    notices: tuple[Notice, ...] = (),
) -> Report:
    """The report of a valid snapshot: sorted findings, verdict, context, plan and batches.

    Past :data:`MAX_LISTED_FINDINGS` the report lists the first ones only (blocking first);
    the verdict, the summary, the plan's steps and tasks and the batches still rest on all.
    """
    ordered = sort_findings(findings)
    context = build_context(snapshot, phase)
    codes = tuple(a.code for a in context.administrations)
    listed = ordered[:MAX_LISTED_FINDINGS]
    return Report(
        verdict=verdict_of(phase, ordered),
        findings=listed,
        taken_at=snapshot["taken_at"],
        lang=lang,
        phase=phase,
        context=context,
        plan=build_plan(ordered, rulebook, lang, codes, listed=len(listed)),
        batches=build_batches(ordered, rulebook, phase, codes),
        notices=notices,
        names=rulebook.display,
        totals=_count(ordered) if len(listed) < len(ordered) else None,
    )


def _count(findings: tuple[Finding, ...]) -> dict[str, int]:
    counts = {"blocking": 0, "advisory": 0, "info": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def invalid_report(
    problems: list[InputProblem], taken_at: Any, lang: str, unreadable: str | None = None,
    notices: tuple[Notice, ...] = (),
) -> Report:
    """An ``invalid`` report listing every problem (taken_at echoed only when it is text)."""
    return Report(
        "invalid", (), tuple(problems), taken_at if isinstance(taken_at, str) else None, lang,
        notices=notices, unreadable=unreadable,
    )
