"""Step 4: the running totals of an audit — a fixed number of counters, whatever its size.

With a baseline the totals also say what changed since (:class:`Comparison`); its lists of
offices new in this audit and no longer in it grow with those offices only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..rulebook import RuleBook
from ..vocabulary import SEVERITIES, SEVERITY_RANK
from .baseline import COMPARED_VERSION, BaselineInfo
from .office import VERDICTS, OfficeOutcome

#: Audit output version: 2 checks every snapshot as `preflight check` does (report.md, "Audit (v2)").
AUDIT_VERSION = COMPARED_VERSION


@dataclass
class RuleTotal:
    """How often one rule fired, and in how many offices."""

    id: str
    severity: str
    faq: str
    findings: int = 0
    offices: int = 0


@dataclass
class MovableTotals:
    """What can move, over every office that was checked (the reports' batches)."""

    offices_can_start_now: int = 0
    migrations: int = 0  # proposed migrations (of at most five) of the offices that can start now
    movable_now: int = 0  # administrations in those migrations
    ready: int = 0
    after_fixes: int = 0
    cannot_move: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"offices_can_start_now": self.offices_can_start_now, "migrations": self.migrations,
                "movable_now": self.movable_now, "ready": self.ready, "after_fixes": self.after_fixes,
                "cannot_move": self.cannot_move}


@dataclass
class Comparison:
    """This audit against the baseline (see :mod:`.baseline` for how offices and findings match)."""

    info: BaselineInfo
    offices_in_both: int = 0
    fixed: int = 0
    new: int = 0
    new_blocking: int = 0
    open: int = 0
    by_rule: dict[str, list[int]] = field(default_factory=dict)  # rule -> [fixed, new, open]
    verdict_changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    offices_with_new_blocking: int = 0
    new_offices: list[dict[str, Any]] = field(default_factory=list)
    gone_offices: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, outcome: OfficeOutcome) -> None:
        changes = outcome.changes
        if changes is None:
            return
        self.seen.add(outcome.key)
        if changes.in_baseline:
            self.offices_in_both += 1
            if changes.previous_verdict != outcome.verdict:
                self.verdict_changes[(str(changes.previous_verdict), outcome.verdict)] += 1
        else:
            self.new_offices.append({"office": outcome.office, "name": outcome.name, "verdict": outcome.verdict,
                                     "source": outcome.source, "line": outcome.line})
        for rule, (fixed, new, still) in changes.by_rule.items():
            counts = self.by_rule.setdefault(rule, [0, 0, 0])
            counts[0] += fixed
            counts[1] += new
            counts[2] += still
            self.fixed += fixed
            self.new += new
            self.open += still
        self.new_blocking += changes.new_blocking
        if changes.new_blocking:
            self.offices_with_new_blocking += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.info.path,
            "run_at": self.info.run_at,
            "inputs": list(self.info.inputs),
            "offices": self.info.offices,
            "readiness_only": self.info.readiness_only,
            "offices_in_both": self.offices_in_both,
            "findings": {"fixed": self.fixed, "new": self.new, "new_blocking": self.new_blocking, "open": self.open},
            "offices_with_new_blocking": self.offices_with_new_blocking,
            "by_rule": {rule: dict(zip(("fixed", "new", "open"), counts, strict=True))
                        for rule, counts in sorted(self.by_rule.items())},
            "verdict_changes": [{"from": before, "to": after, "offices": n}
                                for (before, after), n in sorted(self.verdict_changes.items())],
            "new_offices": self.new_offices,
            "gone_offices": self.gone_offices,
        }


@dataclass
class AuditSummary:
    """Totals over every office seen so far (schemas/audit.schema.json, the top level)."""

    rules: dict[str, RuleTotal]
    lang: str = "nl"
    readiness_only: bool = False
    inputs: tuple[str, ...] = ()
    run_at: str | None = None
    offices: int = 0
    administrations: int = 0
    blocked_administrations: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    by_severity: dict[str, int] = field(default_factory=lambda: dict[str, int].fromkeys(SEVERITIES, 0))
    movable: MovableTotals = field(default_factory=MovableTotals)
    comparison: Comparison | None = None

    @classmethod
    def for_rulebook(
        cls, rulebook: RuleBook, lang: str, *, readiness_only: bool = False, inputs: tuple[str, ...] = (),
        run_at: str | None = None, baseline: BaselineInfo | None = None,
    ) -> AuditSummary:
        """Empty totals listing every rule that can run (each has a count, 0 too): the audit
        rules with ``readiness_only``, else every rule (a snapshot with a migration runs them)."""
        chosen = rulebook.for_phase("audit") if readiness_only else rulebook.rules
        rules = {r.id: RuleTotal(r.id, r.severity, r.faq) for r in chosen}
        return cls(rules=rules, lang=lang, readiness_only=readiness_only, inputs=inputs, run_at=run_at,
                   comparison=Comparison(baseline) if baseline is not None else None)

    def add(self, outcome: OfficeOutcome) -> None:
        """Count one office."""
        self.offices += 1
        self.verdicts[outcome.verdict] += 1
        self.administrations += outcome.administrations or 0
        self.blocked_administrations += outcome.blocked_administrations or 0
        for severity, count in outcome.by_severity.items():
            self.by_severity[severity] += count
        for rule_id, count in outcome.by_rule.items():
            total = self.rules.get(rule_id)
            if total is None:  # a rule outside the set: still counted, never lost
                total = self.rules[rule_id] = RuleTotal(rule_id, "?", "")
            total.findings += count
            total.offices += 1
        movable = outcome.movable
        if movable is not None:
            if movable.can_start_now:
                self.movable.offices_can_start_now += 1
                self.movable.migrations += movable.migrations
                self.movable.movable_now += movable.ready
            self.movable.ready += movable.ready
            self.movable.after_fixes += movable.after_fixes
            self.movable.cannot_move += movable.cannot_move
        if self.comparison is not None:
            self.comparison.add(outcome)

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

    def rules_by_severity(self) -> list[RuleTotal]:
        """Rules that fired, blocking first, then advisory, then info; most findings first within."""
        return sorted(self.top_rules(), key=lambda r: SEVERITY_RANK.get(r.severity, 9))

    def to_dict(self) -> dict[str, Any]:
        """The summary part of the JSON output; ``by_rule`` in rule id order, zeros included."""
        ids = sorted(self.rules)
        out: dict[str, Any] = {
            "audit_version": AUDIT_VERSION,
            "lang": self.lang,
            "run_at": self.run_at,
            "inputs": list(self.inputs),
            "readiness_only": self.readiness_only,
            "offices": self.offices,
            "administrations": self.administrations,
            "invalid": self.invalid,
            "failed": self.failed,
            "blocked_administrations": self.blocked_administrations,
            "verdicts": dict(self.verdicts),
            "by_severity": dict(self.by_severity),
            "by_rule": {i: self.rules[i].findings for i in ids},
            "offices_by_rule": {i: self.rules[i].offices for i in ids},
            "movable": self.movable.to_dict(),
        }
        if self.comparison is not None:
            out["baseline"] = self.comparison.to_dict()
        return out
