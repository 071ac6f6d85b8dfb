"""Step 5 (the cross-check): evaluate the rules with the durable-rules engine.

The only module that imports durable-rules. The rule book compiles once per process to one
durable ruleset per mode; each evaluation asserts its facts in a fresh session and the findings
are the engine's activations. Every trap measured on this machine
(shared/notes/durable-rules.md) has its guard here:

- negation depends on fact order: a sentinel fact is asserted last and is the first pattern of
  every rule with a negation (``"dist": 0``);
- facts, not events, so a fact matching two rules fires both;
- bounded sizes: facts carry only the fields rules read, flat, with strings capped;
- identities: every fact has a unique ``id``; a duplicate (return code 2, e.g. a 32-bit hash
  collision) is retried with freshly salted identities;
- loose comparisons: facts are type-checked against the catalogue; integers are clamped to the
  engine's exact range (rule literals are bounded far below it by the rule schema);
- a session in which no action ever started holds an uninitialised pointer that
  ``delete_state`` frees (a crash, found by the property tests): a keep-alive rule on the
  sentinel makes every session start at least one action;
- ``engine.Host`` is not used (its timer threads crash); the C functions are called directly,
  under one lock per process, and the session is deleted in ``finally``.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

import durable_rules_engine as _engine

from .activation import Activation, EngineError
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
    conjuncts,
    home_scopes,
    referenced_fields,
    scopes_needed,
    walk,
)
from .facts import FACT_FIELDS, SINGLETON_SCOPES, Fact, FactSet
from .findings import FactEvaluator
from .rulebook import Rule, RuleBook
from .vocabulary import PHASES

#: One lock for every engine call in the process: the C core is not thread-safe.
ENGINE_LOCK = threading.Lock()
#: Strings longer than this never reach the engine (it drops facts at 16 MiB).
MAX_STRING = 1 << 20
_INT_MAX = (1 << 62) - 1
_SENTINEL = "$sentinel"
_ITEM = "$item"
_KEEPALIVE = "$keepalive"
_TYPES = {"str": str, "int": int, "bool": bool}
_NEGATED_OP = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
_SESSIONS = itertools.count(1)
_RULESETS: dict[tuple[str, tuple[str, ...]], int] = {}


class DurableEngine(FactEvaluator):
    """Evaluates a rule book with durable-rules' C core."""

    name = "durable"

    def __init__(self, rulebook: RuleBook) -> None:
        self.rulebook = rulebook
        self._handles: dict[str, int] = {}
        self._fields: dict[str, dict[str, set[str]]] = {}
        self._lists: dict[str, set[str]] = {}
        for phase in PHASES:  # phases that run the same rules share one ruleset
            rules = rulebook.for_phase(phase)
            self._fields[phase], self._lists[phase] = _fields_read(rules)
            self._handles[phase] = _ruleset(rulebook.digest, rules)

    def evaluate(self, factset: FactSet) -> list[Activation]:
        """The activations of the engine for ``factset``, deduplicated per rule and fact."""
        for attempt in range(3):
            payload, keys = self._payload(factset, salt=attempt)
            if not _identities_distinct(payload):
                continue
            with ENGINE_LOCK:
                found = _run_session(self._handles[factset.phase], payload)
            if found is not None:
                unique = {(rule, keys[fid]) for rule, fid in found}
                return [Activation(rule, key) for rule, key in sorted(unique)]
        raise EngineError("durable-rules reported duplicate fact identities three times")

    def _payload(self, factset: FactSet, salt: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
        wanted = self._fields[factset.phase]
        sid = str(next(_SESSIONS))
        facts: list[dict[str, Any]] = []
        keys: dict[str, str] = {}
        for index, fact in enumerate(factset.facts):
            fid = f"{salt}.{index}"
            keys[fid] = fact.key
            body: dict[str, Any] = {"id": fid, "sid": sid, "t": fact.scope}
            for name in wanted.get(fact.scope, ()):
                if name in fact.fields:
                    body[name] = _checked(fact, name)
            facts.append(body)
        for list_key in sorted(self._lists[factset.phase]):
            for i, value in enumerate(factset.lists.get(list_key, ())):
                if len(value) > MAX_STRING:
                    raise EngineError(f"a value of {list_key} is longer than {MAX_STRING} characters")
                facts.append({"id": f"{salt}.{list_key}.{i}", "sid": sid, "t": _ITEM,
                              "list": list_key, "value": value})
        # Asserted last: rules with a negation match it first (see module docstring).
        facts.append({"id": f"{salt}.sentinel", "sid": sid, "t": _SENTINEL})
        return facts, keys


def fnv1_32(text: str) -> int:
    """durable-rules' identity hash: FNV-1a, 32 bits, over the bytes as C signed chars."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= (byte - 256) & 0xFFFFFFFF if byte > 127 else byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def _identities_distinct(facts: list[dict[str, Any]]) -> bool:
    """False when two fact ids collide in the engine's 32-bit identity hash."""
    hashes = {fnv1_32(fact["id"]) for fact in facts}
    return len(hashes) == len(facts)


def _checked(fact: Fact, name: str) -> Any:
    value = fact.fields[name]
    expected = FACT_FIELDS[fact.scope][name]
    if type(value) is not _TYPES[expected]:  # bool is an int subclass: compare exact types
        raise EngineError(f"{fact.scope}.{name} should be {expected}, got {type(value).__name__}")
    if isinstance(value, int) and not isinstance(value, bool):
        return max(-_INT_MAX, min(_INT_MAX, value))
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise EngineError(f"{fact.scope}.{name} is longer than {MAX_STRING} characters")
    return value


def _run_session(handle: int, facts: list[dict[str, Any]]) -> list[tuple[str, str]] | None:
    """Assert the facts in a fresh session and drain its activations; None on duplicate identity.

    Return codes of ``assert_facts``: 0 all facts handled, 1 some fact wanted by no pattern
    (normal: e.g. users when no user rule runs), 2 a duplicate identity. The keep-alive rule makes
    every session start at least one action: durable-rules leaves a session's action context
    uninitialised until then, and deleting a session that never ran one frees a wild pointer.
    """
    sid = facts[0]["sid"]
    text = json.dumps(facts, ensure_ascii=False)
    try:
        result = _engine.assert_facts(handle, text)
    except _engine.error as err:
        raise EngineError(f"durable-rules rejected the facts: {err}") from None
    try:
        if result[0] not in (0, 1, 2):
            raise EngineError(f"durable-rules rejected the facts (code {result[0]})")
        # A duplicate identity (code 2) skips only that fact, so the session is whole enough to
        # drain and delete; its findings are discarded and the caller retries.
        state = result[1]
        found = []
        action = _engine.start_action_for_state(handle, state)
        while action:
            message = json.loads(action[1] if isinstance(action, tuple) else action)
            for rule_id, matched in message.items():
                if rule_id != _KEEPALIVE:
                    found.append((rule_id, matched["self"]["id"]))
            action = _engine.complete_and_start_action(handle, state)
        return None if result[0] == 2 else found
    except _engine.error as err:
        raise EngineError(f"durable-rules failed: {err}") from None
    finally:
        _engine.delete_state(handle, sid)


def _ruleset(digest: str, rules: tuple[Rule, ...]) -> int:
    """The compiled ruleset for these rules, built once per process and rule book."""
    with ENGINE_LOCK:
        key = (digest, tuple(rule.id for rule in rules))
        if key not in _RULESETS:
            definition = {rule.id: compile_rule(rule) for rule in rules}
            # Always matches the sentinel, so every assertion creates a session (see _run_session).
            definition[_KEEPALIVE] = {"all": [{"sentinel": {"t": _SENTINEL}}]}
            _RULESETS[key] = _engine.create_ruleset(
                f"preflight_{digest}_{len(_RULESETS)}", json.dumps(definition, ensure_ascii=False)
            )
        return _RULESETS[key]


def _fields_read(rules: tuple[Rule, ...]) -> tuple[dict[str, set[str]], set[str]]:
    fields: dict[str, set[str]] = {}
    lists: set[str] = set()
    for rule in rules:
        for item in walk(rule.when):
            if isinstance(item, (Compare, InList)):
                fields.setdefault(item.left.scope, set()).add(item.left.name)
            if isinstance(item, FieldPresence):
                fields.setdefault(item.field.scope, set()).add(item.field.name)
            if isinstance(item, Contains):
                lists.add(item.list_key)
        for ref in referenced_fields(rule.when):
            fields.setdefault(ref.scope, set()).add(ref.name)
    return {scope: set(sorted(names)) for scope, names in fields.items()}, lists


def compile_rule(rule: Rule) -> dict[str, Any]:
    """The durable-rules definition of one rule: patterns over facts, joined by aliases."""
    own = rule.scope
    parts = conjuncts(rule.when)
    needed = scopes_needed(rule.when, own)
    refs = referenced_fields(rule.when)
    by_home: dict[str, list[Any]] = {}
    contains = [c for c in parts if isinstance(c, Contains)]
    absent = [c.scope for c in parts if isinstance(c, ScopePresence) and not c.present]
    for part in parts:
        if isinstance(part, (Contains, ScopePresence)):
            continue
        (home,) = home_scopes(part)
        by_home.setdefault(home, []).append(_expression(part, own, negate=False))
    patterns: list[dict[str, Any]] = []
    negated = bool(absent) or any(c.negated for c in contains)
    if negated:
        patterns.append({"sentinel": {"t": _SENTINEL}})
    for scope in SINGLETON_SCOPES:
        if scope in needed:
            patterns.append({scope: _and([{"t": scope}, *_present(refs, scope, own), *by_home.get(scope, [])])})
    patterns.append({"self": _and([{"t": own}, *_present(refs, own, own), *by_home.get(own, [])])})
    for i, item in enumerate(contains):
        alias = f"item{i}$not" if item.negated else f"item{i}"
        patterns.append({alias: _and([{"t": _ITEM}, {"list": item.list_key}, {"value": _rhs(item.value, own)}])})
    for scope in absent:
        patterns.append({f"{scope}$not": {"t": scope}})
    definition: dict[str, Any] = {"all": patterns}
    if negated:
        definition["dist"] = 0
    return definition


def _present(refs: set[FieldRef], scope: str, own: str) -> list[dict[str, Any]]:
    return [{"$ex": {r.name: 1}} for r in sorted(refs, key=str) if r.scope == scope]


def _and(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else {"$and": items}


def _or(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else {"$or": items}


def _rhs(value: Any, own: str) -> Any:
    if isinstance(value, FieldRef):
        return {"self": value.name} if value.scope == own else {value.scope: value.name}
    return value


def _compare(op: str, name: str, rhs: Any) -> dict[str, Any]:
    if op == "eq":
        return {name: rhs}
    return {_DURABLE_OP[op]: {name: rhs}}


def _expression(condition: Condition, own: str, negate: bool) -> Any:
    """A durable expression for a condition on one fact; ``negate`` pushes a not inwards."""
    if isinstance(condition, AllOf):
        items = [_expression(c, own, negate) for c in condition.items]
        return _or(items) if negate else _and(items)
    if isinstance(condition, AnyOf):
        items = [_expression(c, own, negate) for c in condition.items]
        return _and(items) if negate else _or(items)
    if isinstance(condition, Not):
        return _expression(condition.item, own, not negate)
    if isinstance(condition, FieldPresence):
        present = condition.present != negate
        return {"$ex" if present else "$nex": {condition.field.name: 1}}
    if isinstance(condition, Compare):
        name = condition.left.name
        rhs = _rhs(condition.right, own) if condition.left.scope == own else condition.right
        if isinstance(condition.right, FieldRef) and condition.right.scope == own and condition.left.scope == own:
            rhs = {"$m": condition.right.name}
        if not negate:
            return _and([{"$ex": {name: 1}}, _compare(condition.op, name, rhs)])
        # not (x op v): the opposite comparison, or x absent (a comparison on absent is false)
        return _or([{"$nex": {name: 1}}, _compare(_NEGATED_OP[condition.op], name, rhs)])
    if isinstance(condition, InList):
        name = condition.left.name
        equal_any = _or([{name: v} for v in condition.values])
        equal_none = _and([{"$neq": {name: v}} for v in condition.values])
        wants_in = condition.negated == negate  # `in`, or `not_in` under a not
        if not negate:  # in / not_in: the field is present and (not) among the values
            return _and([{"$ex": {name: 1}}, equal_any if wants_in else equal_none])
        # under a not: the field is absent, or (not) among the values
        return _or([{"$nex": {name: 1}}, equal_any if wants_in else equal_none])
    raise TypeError(f"cannot compile {condition!r} into one pattern")
