"""Step 4: the running totals of an audit — a fixed number of counters, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..rulebook import RuleBook
from ..vocabulary import SEVERITIES, SEVERITY_RANK
from .office import VERDICTS, OfficeOutcome

AUDIT_VERSION = 1


@dataclass
class RuleTotal:
    """How often one rule fired, and in how many offices."""

    id: str
    severity: str
    faq: str
    findings: int = 0
    offices: int = 0


@dataclass
class AuditSummary:
    """Totals over every office seen so far (schemas/audit.schema.json, the top level)."""

    rules: dict[str, RuleTotal]
    lang: str = "nl"
    offices: int = 0
    administrations: int = 0
    blocked_administrations: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    by_severity: dict[str, int] = field(default_factory=lambda: dict[str, int].fromkeys(SEVERITIES, 0))

    @classmethod
    def for_rulebook(cls, rulebook: RuleBook, lang: str) -> AuditSummary:
        """Empty totals listing every rule that runs in audit mode (so each has a count, 0 too)."""
        rules = {r.id: RuleTotal(r.id, r.severity, r.faq) for r in rulebook.for_phase("audit")}
        return cls(rules=rules, lang=lang)

    def add(self, outcome: OfficeOutcome) -> None:
        """Count one office."""
        self.offices += 1
        self.verdicts[outcome.verdict] += 1
        self.administrations += outcome.administrations
        self.blocked_administrations += outcome.blocked_administrations
        for severity, count in outcome.by_severity.items():
            self.by_severity[severity] += count
        for rule_id, count in outcome.by_rule.items():
            total = self.rules.get(rule_id)
            if total is None:  # a rule outside the audit set: still counted, never lost
                total = self.rules[rule_id] = RuleTotal(rule_id, "?", "")
            total.findings += count
            total.offices += 1

    @property
    def invalid(self) -> int:
        return self.verdicts["invalid"]

    @property
    def failed(self) -> int:
        return self.verdicts["failed"]

    def top_rules(self) -> list[RuleTotal]:
        """Rules that fired, most findings first (ties: blocking first, then by id)."""
        fired = [r for r in self.rules.values() if r.findings]
        return sorted(fired, key=lambda r: (-r.findings, SEVERITY_RANK.get(r.severity, 9), r.id))

    def to_dict(self) -> dict[str, Any]:
        """The summary part of the JSON output; ``by_rule`` in rule id order, zeros included."""
        ids = sorted(self.rules)
        return {
            "audit_version": AUDIT_VERSION,
            "lang": self.lang,
            "offices": self.offices,
            "administrations": self.administrations,
            "invalid": self.invalid,
            "failed": self.failed,
            "blocked_administrations": self.blocked_administrations,
            "verdicts": dict(self.verdicts),
            "by_severity": dict(self.by_severity),
            "by_rule": {i: self.rules[i].findings for i in ids},
            "offices_by_rule": {i: self.rules[i].offices for i in ids},
        }
