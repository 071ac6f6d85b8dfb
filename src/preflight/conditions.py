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
#: How many all/any/not may enclose one another (the shipped rules use two). Deeper trees say
#: nothing a flatter one cannot (an all inside an all is one all) and would exhaust recursion.
MAX_CONDITION_DEPTH = 8
#: How many tests (comparisons, in/not_in, present/absent, contains/not_contains) one rule's
#: condition may hold. durable-rules has 32 places per pattern for its and/or groups; seven tests
#: can never need more, however they are combined.
MAX_CONDITION_TESTS = 7
#: A rule that compares its own fact with another fact's field (``{ref: scope.field}``) runs on
#: durable-rules as one durable rule per alternative of its condition (its any, in and not
#: multiplied out): at most this many. (durable-rules evaluates such a comparison exactly only in
#: a flat conjunction.)
MAX_JOIN_ALTERNATIVES = 16
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


@dataclass(frozen=True)
class Test:
    """An atomic test on one field once every not is pushed inwards: ``present``, ``absent``, or
    a comparison (eq … ge) with a literal or a field."""

    op: str
    field: FieldRef
    value: Literal | FieldRef | None = None


_OPPOSITE = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


def multiplied_out(condition: Condition, limit: int, negate: bool = False) -> list[tuple[Test, ...]] | None:
    """A condition on one fact as alternatives, each a conjunction of :class:`Test` (disjunctive
    normal form, with the language's semantics: a comparison on an absent field is false), or
    None when there would be more than ``limit``. ``negate``: of the condition's negation."""
    if isinstance(condition, (AllOf, AnyOf)):
        groups = []
        for item in condition.items:
            group = multiplied_out(item, limit, negate)
            if group is None:
                return None
            groups.append(group)
        if isinstance(condition, AllOf) != negate:  # and: every combination
            out: list[tuple[Test, ...]] = [()]
            for group in groups:
                if len(out) * len(group) > limit:
                    return None
                out = [left + right for left in out for right in group]
            return out
        either = [alternative for group in groups for alternative in group]  # or: any of them
        return either if len(either) <= limit else None
    if isinstance(condition, Not):
        return multiplied_out(condition.item, limit, not negate)
    if isinstance(condition, FieldPresence):
        return [(Test("present" if condition.present != negate else "absent", condition.field),)]
    if isinstance(condition, Compare):
        left, right = condition.left, condition.right
        if not negate:
            return [(Test("present", left), Test(condition.op, left, right))]
        # not (x op v): x absent, or the opposite comparison
        return [(Test("absent", left),), (Test(_OPPOSITE[condition.op], left, right),)]
    if isinstance(condition, InList):
        left = condition.left
        among = condition.negated == negate  # `in`, or `not_in` under a not
        if not negate:
            if among:
                out = [(Test("present", left), Test("eq", left, v)) for v in condition.values]
            else:
                out = [(Test("present", left), *(Test("ne", left, v) for v in condition.values))]
        elif among:  # not (x not in vs): x absent, or among them
            out = [(Test("absent", left),), *((Test("eq", left, v),) for v in condition.values)]
        else:  # not (x in vs): x absent, or none of them
            out = [(Test("absent", left),), tuple(Test("ne", left, v) for v in condition.values)]
        return out if len(out) <= limit else None
    raise TypeError(f"{condition!r} tests more than one fact")


def is_join(condition: Condition, scope: str) -> bool:
    """A comparison of a field of the rule's own fact with a field of another fact."""
    return isinstance(condition, Compare) and isinstance(condition.right, FieldRef) and condition.right.scope != scope


def own_part(condition: Condition, scope: str) -> AllOf:
    """The top-level conjuncts that test the rule's own fact (``scope``)."""
    return AllOf(tuple(c for c in conjuncts(condition)
                       if not isinstance(c, (Contains, ScopePresence)) and home_scopes(c) == {scope}))


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
            shown = f"{{ref: {right}}}" if isinstance(right, FieldRef) else repr(right)
            raise ConditionError(path, f"{left} is {left_type}, compared with {right_type} {shown}: types must match")
        if op in ORDERING and left_type != "int":
            raise ConditionError(path, f"{op} needs numbers; {left} is {left_type}")


def _value_type(value: Literal | FieldRef) -> str:
    if isinstance(value, FieldRef):
        return FACT_FIELDS[value.scope][value.name]
    return _type_of(value)


def parse_condition(raw: dict[str, Any], scope: str, path: str = "/when") -> Condition:
    """Parse a ``when`` tree (already valid against rules.schema.json) for a rule of ``scope``."""
    check_depth(raw, path)
    condition = _Parser(scope).parse(raw, path)
    _check_structure(condition, path, top=True)
    tests = sum(1 for c in walk(condition) if not isinstance(c, (AllOf, AnyOf, Not)))
    if tests > MAX_CONDITION_TESTS:
        raise ConditionError(
            path, f"the condition holds {tests} tests; at most {MAX_CONDITION_TESTS} are allowed in one rule "
            "(a list of values is one test: in: {field: [a, b, c]}; or split the rule)"
        )
    mine = own_part(condition, scope)
    if any(is_join(c, scope) for c in walk(mine)) and multiplied_out(mine, MAX_JOIN_ALTERNATIVES) is None:
        raise ConditionError(
            path, f"this rule compares its fact with another fact's field ({{ref}}), and its any, in and not "
            f"give more than {MAX_JOIN_ALTERNATIVES} alternatives once multiplied out: split it into rules"
        )
    return condition


def check_depth(raw: Any, path: str = "/when") -> None:
    """Raise ConditionError when all/any/not nest past MAX_CONDITION_DEPTH in a raw ``when``
    tree — measured without recursion, so that a tree of any depth is refused, never crashes."""
    depth, where = _depth(raw, path)
    if depth > MAX_CONDITION_DEPTH:
        raise ConditionError(
            where, f"the condition nests all/any/not {depth} deep; at most {MAX_CONDITION_DEPTH} are allowed "
            "(an all inside an all is one all, and a not of a not is the condition itself)"
        )


def _depth(raw: Any, path: str) -> tuple[int, str]:
    """The depth of all/any/not nesting, and the path of the first all/any/not past the bound
    (else of the deepest one)."""
    deepest, where, past = 0, path, None
    stack: list[tuple[Any, int, str]] = [(raw, 0, path)]
    while stack:
        node, depth, here = stack.pop()
        if not isinstance(node, dict) or len(node) != 1:
            continue
        ((key, body),) = node.items()
        if key not in ("all", "any", "not") or (key != "not" and not isinstance(body, list)):
            continue
        level = f"{here}/{key}"
        if depth + 1 > deepest:
            deepest, where = depth + 1, level
        if depth + 1 > MAX_CONDITION_DEPTH and past is None:
            past = level
        if key == "not":
            stack.append((body, depth + 1, level))
        else:
            stack.extend((item, depth + 1, f"{level}/{i}") for i, item in reversed(list(enumerate(body))))
    return deepest, past or where


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
