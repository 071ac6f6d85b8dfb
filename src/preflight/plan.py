"""Step 7b: from findings to what to do — the plan, in order, and the batches.

The plan (rules.md, catalogue v2, "The plan") groups the findings by the step their rule names,
in the steps' order: each step says who acts and what must happen, lists the administrations
concerned and covers each of its findings exactly once. Its *tasks* are the distinct remedies of
those findings, so a remedy is said once per step, not once per administration.

The batches ("Batches") sort the administrations concerned into those that can never move
(a rule with ``batch: cannot_move`` fired for them), those that can move only after fixes (a
blocking finding about them or one of their users) and those that can move now, in migrations
of at most ``batch_size`` (the FAQ advises five).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .findings import Finding
from .rulebook import RuleBook
from .vocabulary import Phase, Severity


class Task(NamedTuple):
    """One distinct remedy of a step, and what it concerns (named tuples: a report builds many)."""

    text: str
    findings: tuple[int, ...]
    administrations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "administrations": list(self.administrations), "findings": list(self.findings)}


class PlanStep(NamedTuple):
    """A step of the plan as it applies to one report (report.md, v2, ``plan[]``)."""

    step: str
    order: int
    actor: str
    severity: Severity
    title: str
    action: str
    administrations: tuple[str, ...]
    findings: tuple[int, ...]
    tasks: tuple[Task, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "order": self.order,
            "actor": self.actor,
            "severity": self.severity,
            "title": self.title,
            "action": self.action,
            "administrations": list(self.administrations),
            "findings": list(self.findings),
            "tasks": [t.to_dict() for t in self.tasks],
        }


class Batches(NamedTuple):
    """Which administrations can move now (in migrations of at most N), which after fixes,
    which never (report.md, v2, ``batches``)."""

    can_start_now: bool
    ready: tuple[tuple[str, ...], ...]
    after_fixes: tuple[str, ...]
    cannot_move: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "can_start_now": self.can_start_now,
            "ready": [list(batch) for batch in self.ready],
            "after_fixes": list(self.after_fixes),
            "cannot_move": list(self.cannot_move),
        }


def build_plan(
    findings: tuple[Finding, ...], rulebook: RuleBook, lang: str, administrations: tuple[str, ...],
    listed: int | None = None,
) -> tuple[PlanStep, ...]:
    """The steps that apply, in order; ``findings`` in report order (their indexes are kept),
    ``administrations`` the codes concerned in the order the report lists them. ``listed``: only
    the first so many findings are in the report — the steps, their tasks and administrations
    rest on all findings, their ``findings`` indexes name the listed ones."""
    shown = len(findings) if listed is None else listed
    position = {code: i for i, code in enumerate(administrations)}
    by_step: dict[str, list[int]] = {}
    for index, finding in enumerate(findings):
        by_step.setdefault(finding.step, []).append(index)
    out = []
    for step in rulebook.steps:
        indexes = by_step.get(step.id)
        if not indexes:
            continue
        # Findings come in report order (blocking first), so a step's first finding has its
        # highest severity, and its tasks come most severe first, in that order.
        tasks: dict[str, list[int]] = {}
        for index in indexes:
            tasks.setdefault(findings[index].remedy, []).append(index)
        out.append(
            PlanStep(
                step=step.id,
                order=step.order,
                actor=step.actor,
                severity=findings[indexes[0]].severity,
                title=step.title.in_language(lang),
                action=step.action.in_language(lang),
                administrations=_administrations(findings, indexes, position),
                findings=tuple(i for i in indexes if i < shown),
                tasks=tuple(
                    Task(text, tuple(i for i in items if i < shown), _administrations(findings, items, position))
                    for text, items in tasks.items()
                ),
            )
        )
    return tuple(out)


def build_batches(
    findings: tuple[Finding, ...], rulebook: RuleBook, phase: Phase, administrations: tuple[str, ...]
) -> Batches:
    """The batches of the administrations concerned (request order, or the source's order)."""
    if phase == "completed":  # the migration is done: nothing is left to move
        return Batches(False, (), (), ())
    never: set[str] = set()
    blocked: set[str] = set()
    blocked_overall = False
    for finding in findings:
        code = finding.about.administration
        if code is not None and rulebook.by_id(finding.rule).batch == "cannot_move":
            never.add(code)
        elif finding.severity == "blocking":
            if code is None:
                blocked_overall = True
            else:
                blocked.add(code)
    ready = [code for code in administrations if code not in never and code not in blocked]
    size = rulebook.batch_size
    return Batches(
        can_start_now=bool(ready) and not blocked_overall,
        ready=tuple(tuple(ready[i : i + size]) for i in range(0, len(ready), size)),
        after_fixes=tuple(code for code in administrations if code in blocked and code not in never),
        cannot_move=tuple(code for code in administrations if code in never),
    )


def _administrations(findings: tuple[Finding, ...], indexes: list[int], position: dict[str, int]) -> tuple[str, ...]:
    """The administrations the findings concern, each once, in the report's order of them."""
    codes: list[str] = []
    for i in indexes:
        code = findings[i].about.administration
        if code is not None and code not in codes:
            codes.append(code)
    if len(codes) > 1:
        codes.sort(key=lambda c: (position.get(c, len(position)), c))
    return tuple(codes)
