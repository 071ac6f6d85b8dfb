"""Step 5 (alternative): a plain-Python interpreter of the rule language.

Selected with ``--engine python``; the tests use it as a reference for the compiled and the
durable-rules engines. It implements the semantics documented in :mod:`preflight.conditions`
directly, over the facts of :func:`preflight.facts.derive_facts`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from .activation import Activation
from .conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Contains,
    FieldPresence,
    FieldRef,
    InList,
    Not,
    ScopePresence,
    referenced_fields,
    scopes_needed,
)
from .facts import SINGLETON_SCOPES, Fact, FactSet
from .findings import FactEvaluator
from .rulebook import RuleBook

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}
_MISSING = object()


class PythonEngine(FactEvaluator):
    """Evaluates a rule book by walking each rule's condition tree over the facts."""

    name = "python"

    def __init__(self, rulebook: RuleBook) -> None:
        self.rulebook = rulebook
        self._needs = {
            rule.id: (scopes_needed(rule.when, rule.scope), referenced_fields(rule.when))
            for rule in rulebook.rules
        }

    def evaluate(self, factset: FactSet) -> list[Activation]:
        """Every (rule, fact) pair that matches, in rule order then fact order."""
        singletons = {f.scope: f for f in factset.facts if f.scope in SINGLETON_SCOPES}
        lists = {key: frozenset(values) for key, values in factset.lists.items()}
        by_scope: dict[str, list[Fact]] = {}
        for fact in factset.facts:
            by_scope.setdefault(fact.scope, []).append(fact)
        out = []
        for rule in self.rulebook.for_phase(factset.phase):
            scopes, refs = self._needs[rule.id]
            if any(scope not in singletons for scope in scopes):
                continue
            for fact in by_scope.get(rule.scope, ()):
                ctx = _Context(fact, singletons, lists)
                if all(ctx.value(ref) is not _MISSING for ref in refs) and ctx.test(rule.when):
                    out.append(Activation(rule.id, fact.key))
        return out


class _Context:
    def __init__(self, fact: Fact, singletons: dict[str, Fact], lists: dict[str, frozenset[str]]) -> None:
        self.fact = fact
        self.singletons = singletons
        self.lists = lists

    def value(self, ref: FieldRef) -> Any:
        fact = self.fact if ref.own else self.singletons.get(ref.scope)
        if fact is None:
            return _MISSING
        return fact.fields.get(ref.name, _MISSING)

    def operand(self, value: Any) -> Any:
        return self.value(value) if isinstance(value, FieldRef) else value

    def test(self, condition: Condition) -> bool:
        if isinstance(condition, AllOf):
            return all(self.test(c) for c in condition.items)
        if isinstance(condition, AnyOf):
            return any(self.test(c) for c in condition.items)
        if isinstance(condition, Not):
            return not self.test(condition.item)
        if isinstance(condition, Compare):
            left, right = self.value(condition.left), self.operand(condition.right)
            if left is _MISSING or right is _MISSING:
                return False
            return _OPERATORS[condition.op](left, right)
        if isinstance(condition, InList):
            left = self.value(condition.left)
            if left is _MISSING:
                return False
            return (left in condition.values) != condition.negated
        if isinstance(condition, FieldPresence):
            return (self.value(condition.field) is not _MISSING) == condition.present
        if isinstance(condition, ScopePresence):
            return (condition.scope in self.singletons) == condition.present
        if isinstance(condition, Contains):
            wanted = self.operand(condition.value)
            found = wanted in self.lists.get(condition.list_key, frozenset())
            return found != condition.negated
        raise TypeError(f"unknown condition {condition!r}")
