"""Step 7: the report — verdict, summary, findings in a deterministic order, or the input errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .findings import Finding
from .problems import InputProblem

REPORT_VERSION = 1
SEVERITY_ORDER = {"blocking": 0, "advisory": 1, "info": 2}


@dataclass(frozen=True)
class Report:
    """What preflight says about one snapshot (report.md)."""

    verdict: str  # "ready" | "blocked" | "invalid"
    findings: tuple[Finding, ...] = ()
    errors: tuple[InputProblem, ...] = ()
    taken_at: str | None = None
    lang: str = "nl"
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def summary(self) -> dict[str, int]:
        counts = {"blocking": 0, "advisory": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "verdict": self.verdict,
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
            "taken_at": self.taken_at,
            "lang": self.lang,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text; the same report always gives the same bytes."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"


def finding_sort_key(finding: Finding) -> tuple[Any, ...]:
    """blocking, advisory, info; then subject; then rule; then the text (same rule, same subject)."""
    return (
        SEVERITY_ORDER[finding.severity],
        finding.subject,
        finding.rule,
        finding.message,
        json.dumps(finding.evidence, sort_keys=True, ensure_ascii=False),
    )


def report_from_findings(findings: list[Finding], taken_at: str, lang: str) -> Report:
    """A ``blocked`` or ``ready`` report of the findings, sorted."""
    ordered = tuple(sorted(findings, key=finding_sort_key))
    blocked = any(f.severity == "blocking" for f in ordered)
    return Report("blocked" if blocked else "ready", ordered, (), taken_at, lang)


def invalid_report(problems: list[InputProblem], taken_at: Any, lang: str) -> Report:
    """An ``invalid`` report listing every problem (taken_at echoed only when it is text)."""
    return Report(
        "invalid", (), tuple(problems), taken_at if isinstance(taken_at, str) else None, lang
    )
