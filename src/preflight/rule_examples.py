"""The examples carried by every rule: build their snapshots and check what the rule reports.

Used by ``preflight rules test`` and by the test suite (one parametrised test over all of them).
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .resources import rules_dir
from .rulebook import EXAMPLES_BASE_FILE as BASE_FILE
from .rulebook import Example, Rule, RuleBook


def load_base(directory: Path | None = None) -> dict[str, Any]:
    """The snapshot every example starts from (rules/examples-base.yaml)."""
    with open((directory or rules_dir()) / BASE_FILE, encoding="utf-8") as handle:
        base: dict[str, Any] = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    return base


def merge(base: Any, fragment: Any) -> Any:
    """Mappings merge key by key; a list replaces the base list, each mapping in it completed
    from the base list's first item."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        out = copy.deepcopy(base)
        for key, value in fragment.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(fragment, list):
        template = base[0] if base and isinstance(base[0], dict) else None
        return [merge(template, item) if template is not None and isinstance(item, dict)
                else copy.deepcopy(item) for item in fragment]
    return copy.deepcopy(fragment)


def example_snapshot(example: Example, base: dict[str, Any]) -> dict[str, Any]:
    """The full snapshot of an example: the base, merged with the fragment, minus ``remove``."""
    snapshot: dict[str, Any] = merge(base, example.snapshot)
    for pointer in example.remove:
        *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        node: Any = snapshot
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            del node[int(last)]
        else:
            node.pop(last, None)
    return snapshot


@dataclass(frozen=True)
class ExampleResult:
    rule: Rule
    example: Example
    engine: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]
    errors: tuple[str, ...] = ()

    severities: tuple[str, ...] = ()

    @property
    def wrong_severity(self) -> bool:
        """The example names a severity and some finding has another one."""
        return self.example.severity is not None and any(s != self.example.severity for s in self.severities)

    @property
    def passed(self) -> bool:
        return not self.errors and Counter(self.expected) == Counter(self.actual) and not self.wrong_severity

    def describe(self) -> str:
        head = f"{self.rule.id} [{self.engine}] {self.example.name}"
        if self.errors:
            return f"{head}: the example snapshot is invalid: {'; '.join(self.errors)}"
        if Counter(self.expected) == Counter(self.actual) and self.wrong_severity:
            return f"{head}: expected severity {self.example.severity}, got {sorted(set(self.severities))}"
        return f"{head}: expected {sorted(self.expected)}, got {sorted(self.actual)}"


def run_example(
    rule: Rule, example: Example, engine: str, base: dict[str, Any], rulebook: RuleBook | None = None
) -> ExampleResult:
    """Evaluate one example on one engine and compare the subjects the rule reports."""
    from .pipeline import check  # the examples exercise the whole flow

    report = check(example_snapshot(example, base), engine=engine, rulebook=rulebook)
    if report.verdict == "invalid":
        errors = tuple(f"{e.where()}: {e.message}" for e in report.errors)
        return ExampleResult(rule, example, engine, example.fires, (), errors)
    mine = [f for f in report.findings if f.rule == rule.id]
    return ExampleResult(rule, example, engine, example.fires, tuple(f.subject for f in mine), (),
                         tuple(f.severity for f in mine))


def run_all(rulebook: RuleBook, engines: tuple[str, ...] | None = None) -> list[ExampleResult]:
    """Every example of every rule on every engine (default: every evaluator that runs here)."""
    from .pipeline import available_engines

    engines = available_engines() if engines is None else engines
    base = load_base()
    return [
        run_example(rule, example, engine, base, rulebook)
        for rule in rulebook.rules
        for example in rule.examples
        for engine in engines
    ]
