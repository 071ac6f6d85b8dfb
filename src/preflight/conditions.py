"""The rule language: condition trees parsed from YAML, with their static checks.

A condition is data, never code. Both evaluators (durable-rules and plain Python) work from the
same parsed tree, so they cannot disagree about what a rule says.

Semantics, shared by both evaluators:
- a comparison, ``in`` or ``not_in`` on an absent field is false;
- a rule that names a field of another scope (``target_office.accounting_link``), or compares
  against one (``{ref: ...}``), only matches when that fact exists and every referenced field
  is present — a rule never runs on data the snapshot does not have;
- ``present``/``absent`` with a scope name test whether that fact exists at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .facts import FACT_FIELDS, FACT_LISTS, SINGLETON_SCOPES

Literal = str | int | bool

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
ORDERING = ("lt", "le", "gt", "ge")


@dataclass(frozen=True)
class FieldRef:
    """A field of the rule's own fact (scope == the rule's scope) or of a singleton fact."""

    scope: str
    name: str
    own: bool

    def __str__(self) -> str:
        return self.name if self.own else f"{self.scope}.{self.name}"


@dataclass(frozen=True)
class Compare:
    op: str
    left: FieldRef
    right: Literal | FieldRef


@dataclass(frozen=True)
class InList:
    negated: bool
    left: FieldRef
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class FieldPresence:
    present: bool
    field: FieldRef


@dataclass(frozen=True)
class ScopePresence:
    present: bool
    scope: str


@dataclass(frozen=True)
class Contains:
    negated: bool
    owner: str  # the singleton scope holding the list
    list_name: str
    value: Literal | FieldRef

    @property
    def list_key(self) -> str:
        return f"{self.owner}.{self.list_name}"


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Compare | InList | FieldPresence | ScopePresence | Contains | AllOf | AnyOf | Not


class ConditionError(ValueError):
    """A condition that names an unknown field or mixes things the language forbids."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


def _type_of(value: Literal) -> str:
    if isinstance(value, bool):
        return "bool"
    return "int" if isinstance(value, int) else "str"


class _Parser:
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def field(self, name: str, path: str) -> FieldRef:
        if "." in name:
            scope, field_name = name.split(".", 1)
            if scope == self.scope:
                return self.field(field_name, path)
            if scope not in SINGLETON_SCOPES:
                raise ConditionError(path, f"{scope!r} is not a scope that can be referenced "
                                     f"(one of {', '.join(SINGLETON_SCOPES)})")
            if field_name not in FACT_FIELDS[scope]:
                raise ConditionError(path, f"unknown field {field_name!r} of {scope}")
            return FieldRef(scope, field_name, own=False)
        if name not in FACT_FIELDS[self.scope]:
            raise ConditionError(path, f"unknown field {name!r} of {self.scope}")
        return FieldRef(self.scope, name, own=True)

    def value(self, raw: Any, path: str) -> Literal | FieldRef:
        if isinstance(raw, dict):
            return self.field(raw["ref"], path + "/ref")
        return raw  # type: ignore[no-any-return]

    def parse(self, raw: dict[str, Any], path: str) -> Condition:
        ((key, body),) = raw.items()
        here = f"{path}/{key}"
        if key in ("all", "any"):
            items = tuple(self.parse(item, f"{here}/{i}") for i, item in enumerate(body))
            return AllOf(items) if key == "all" else AnyOf(items)
        if key == "not":
            return Not(self.parse(body, here))
        if key in ("present", "absent"):
            if body in SINGLETON_SCOPES and body != self.scope:
                return ScopePresence(key == "present", body)
            return FieldPresence(key == "present", self.field(body, here))
        ((name, operand),) = body.items()
        here = f"{here}/{name}"
        if key in COMPARISONS:
            left = self.field(name, here)
            right = self.value(operand, here)
            self._check_types(key, left, right, here)
            return Compare(key, left, right)
        if key in ("in", "not_in"):
            left = self.field(name, here)
            for value in operand:
                self._check_types("eq", left, value, here)
            return InList(key == "not_in", left, tuple(operand))
        # contains / not_contains: the list belongs to the own scope or a singleton
        owner, _, list_name = name.rpartition(".")
        owner = owner or self.scope
        if list_name not in FACT_LISTS.get(owner, ()):
            known = [f"{s}.{n}" for s, names in FACT_LISTS.items() for n in names]
            raise ConditionError(here, f"unknown list {name!r} (known: {', '.join(known)})")
        value = self.value(operand, here)
        if _value_type(value) != "str":
            raise ConditionError(here, "lists hold text: compare them with a text value")
        return Contains(key == "not_contains", owner, list_name, value)

    def _check_types(self, op: str, left: FieldRef, right: Literal | FieldRef, path: str) -> None:
        left_type = FACT_FIELDS[left.scope][left.name]
        right_type = _value_type(right)
        if left_type != right_type:
            raise ConditionError(
                path, f"{left} is {left_type}, compared with {right_type} {right!r}: types must match"
            )
        if op in ORDERING and left_type != "int":
            raise ConditionError(path, f"{op} needs numbers; {left} is {left_type}")


def _value_type(value: Literal | FieldRef) -> str:
    if isinstance(value, FieldRef):
        return FACT_FIELDS[value.scope][value.name]
    return _type_of(value)


def parse_condition(raw: dict[str, Any], scope: str, path: str = "/when") -> Condition:
    """Parse a ``when`` tree (already valid against rules.schema.json) for a rule of ``scope``."""
    condition = _Parser(scope).parse(raw, path)
    _check_structure(condition, path, top=True)
    return condition


def conjuncts(condition: Condition) -> tuple[Condition, ...]:
    """The top-level conjunction of a condition, flattened."""
    if isinstance(condition, AllOf):
        return tuple(c for item in condition.items for c in conjuncts(item))
    return (condition,)


def home_scopes(condition: Condition) -> set[str]:
    """The scopes whose fields a condition tests (the left-hand sides)."""
    if isinstance(condition, (AllOf, AnyOf)):
        return set().union(*(home_scopes(c) for c in condition.items))
    if isinstance(condition, Not):
        return home_scopes(condition.item)
    if isinstance(condition, (Compare, InList)):
        return {condition.left.scope}
    if isinstance(condition, FieldPresence):
        return {condition.field.scope}
    return set()


def referenced_fields(condition: Condition) -> set[FieldRef]:
    """Fields used as right-hand sides (``{ref: ...}``): they must be present for a match."""
    if isinstance(condition, (AllOf, AnyOf)):
        return set().union(*(referenced_fields(c) for c in condition.items))
    if isinstance(condition, Not):
        return referenced_fields(condition.item)
    if isinstance(condition, Compare) and isinstance(condition.right, FieldRef):
        return {condition.right}
    if isinstance(condition, Contains) and isinstance(condition.value, FieldRef):
        return {condition.value}
    return set()


def scopes_needed(condition: Condition, own_scope: str) -> set[str]:
    """Singleton scopes that must exist for the rule to match (other than its own)."""
    needed = set()
    for item in walk(condition):
        if isinstance(item, (Compare, InList)):
            needed.add(item.left.scope)
        elif isinstance(item, FieldPresence):
            needed.add(item.field.scope)
        elif isinstance(item, Contains):
            needed.add(item.owner)
        elif isinstance(item, ScopePresence) and item.present:
            needed.add(item.scope)
    needed.update(ref.scope for ref in referenced_fields(condition))
    needed.discard(own_scope)
    return needed


def walk(condition: Condition) -> list[Condition]:
    """The condition and every condition nested in it, depth first."""
    out: list[Condition] = [condition]
    if isinstance(condition, (AllOf, AnyOf)):
        for item in condition.items:
            out.extend(walk(item))
    elif isinstance(condition, Not):
        out.extend(walk(condition.item))
    return out


def _check_structure(condition: Condition, path: str, top: bool) -> None:
    """Keep the language within what both evaluators express the same way.

    Scope tests and list membership only in the top-level 'all'; an any/not tests one fact; no
    {ref} under a not; a test of another scope's field compares with literals only.
    """
    for item in conjuncts(condition) if top else (condition,):
        for inner in walk(item):
            if inner is not item and isinstance(inner, (ScopePresence, Contains)):
                raise ConditionError(
                    path, "present/absent of a scope and contains/not_contains may only appear "
                    "in the rule's top-level 'all', not inside any/not"
                )
            if isinstance(inner, Not) and referenced_fields(inner.item):
                raise ConditionError(
                    path, "a comparison with {ref: ...} cannot be negated; use the opposite comparison"
                )
        homes = home_scopes(item)
        if len(homes) > 1:
            raise ConditionError(
                path, f"an any/not may test fields of one fact only; this one tests {sorted(homes)}"
            )
        if homes and not next(iter(homes)) == _own_scope_of(item) and referenced_fields(item):
            raise ConditionError(
                path, "a test of another scope's field compares with literals only"
            )


def _own_scope_of(condition: Condition) -> str | None:
    for inner in walk(condition):
        if isinstance(inner, (Compare, InList)) and inner.left.own:
            return inner.left.scope
        if isinstance(inner, FieldPresence) and inner.field.own:
            return inner.field.scope
    return None
