"""Step 5 (the cross-check): evaluate the rules with the durable-rules engine.

The only module that imports durable-rules. The rule book compiles once per process to one
durable ruleset per mode; each evaluation asserts its facts in a fresh session and the findings
are the engine's activations. Every trap measured on this machine
(shared/notes/durable-rules.md) has its guard here, and the rule language is compiled into the
part of durable-rules' grammar that it evaluates exactly:

- negation depends on fact order: a sentinel fact is asserted last and is the first pattern of
  every rule with a negation;
- by default one fact matches at most one pattern of a rule, so two ``contains`` of the same
  value never both held: every rule is ``"dist": 0``;
- facts, not events, so a fact matching two rules fires both;
- bounded sizes: facts carry only the fields rules read, flat; list items only for the values a
  rule can match (its literals, and the ``{ref}`` values of the facts present), so a long list
  costs what the requested administrations cost;
- identities: every fact has a unique ``id``; a duplicate (return code 2, e.g. a 32-bit hash
  collision) is retried with freshly salted identities;
- loose comparisons: facts are type-checked against the catalogue; integers beyond ±2**53 (past
  every rule literal) are replaced by their rank among the snapshot's large integers, which keeps
  every comparison exact where the engine would clamp them at 2**63;
- texts the engine compares wrongly or rejects are refused with an EngineError, never answered:
  a text of 65,536 bytes or more (its lengths wrap at 16 bits) and a lone surrogate;
- a ``{ref}`` to another fact is a join, kept in a list of join expressions per pattern that the
  engine evaluates correctly only when flat (its evaluator stops at the end of the first nested
  group, and an ``$or`` keeps only its join branches): such a pattern is one flat ``$and``, the
  rule's any/in/not multiplied out into one durable rule per alternative (at most
  conditions.MAX_JOIN_ALTERNATIVES); every pattern has at most 32 places for its and/or groups and
  joins (conditions.MAX_CONDITION_TESTS keeps rules within them);
- fact bodies and rulesets are built in sorted, deterministic order: nothing depends on the hash
  seed;
- a session in which no action ever started holds an uninitialised pointer that
  ``delete_state`` frees (a crash, found by the property tests): a keep-alive rule on the
  sentinel makes every session start at least one action;
- ``engine.Host`` is not used (its timer threads crash); the C functions are called directly,
  under one lock per process, and the session is deleted in ``finally`` around the assert itself:
  a failed assert leaks nothing (1,024 leaked sessions would make every later check fail).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from typing import Any

import durable_rules_engine as _engine

from .activation import Activation, EngineError
from .conditions import (
    MAX_JOIN_ALTERNATIVES,
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
    Test,
    conjuncts,
    home_scopes,
    is_join,
    multiplied_out,
    own_part,
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
#: A text's JSON form must stay below this many bytes: the engine keeps lengths in 16 bits.
MAX_TEXT_BYTES = 65_535
#: Integers up to this size are asserted as they are (rule literals are bounded by it too).
EXACT_INTEGERS = 2**53
_SENTINEL = "$sentinel"
_ITEM = "$item"
_KEEPALIVE = "$keepalive"
#: Separates a rule's id from the number of one of its alternatives in a durable rule's name.
_ALTERNATIVE = "#"
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
        self._fields: dict[str, dict[str, tuple[str, ...]]] = {}
        self._lists: dict[str, dict[str, _ListNeeds]] = {}
        for phase in PHASES:  # phases that run the same rules share one ruleset
            rules = rulebook.for_phase(phase)
            self._fields[phase], self._lists[phase] = _fields_read(rules)
            self._handles[phase] = _ruleset(rulebook.digest, rules)

    def evaluate(self, factset: FactSet) -> list[Activation]:
        """The activations of the engine for ``factset``: once per rule and fact, in rule order,
        then in the order of the facts (as the other evaluators give them)."""
        order = {fact.key: index for index, fact in enumerate(factset.facts)}
        for attempt in range(3):
            payload, keys = self._payload(factset, salt=attempt)
            if not _identities_distinct(payload):
                continue
            with ENGINE_LOCK:
                found = _run_session(self._handles[factset.phase], payload)
            if found is not None:
                unique = {(name.split(_ALTERNATIVE)[0], keys[fid]) for name, fid in found}
                return [Activation(rule, key) for rule, key in sorted(unique, key=lambda a: (a[0], order[a[1]]))]
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
        _rank_large_integers(facts)
        for list_key, needs in sorted(self._lists[factset.phase].items()):
            for i, value in enumerate(needs.items(factset, list_key)):
                facts.append({"id": f"{salt}.{list_key}.{i}", "sid": sid, "t": _ITEM,
                              "list": list_key, "value": _text(value, list_key)})
        # Asserted last: rules with a negation match it first (see module docstring).
        facts.append({"id": f"{salt}.sentinel", "sid": sid, "t": _SENTINEL})
        return facts, keys


class _ListNeeds:
    """Which values of a list the rules can match: their literals, and the values of the
    ``{ref}`` fields they compare with it (those of the facts present)."""

    def __init__(self) -> None:
        self.literals: set[str] = set()
        self.refs: set[FieldRef] = set()

    def items(self, factset: FactSet, list_key: str) -> list[str]:
        """The list's values worth asserting, in the list's (sorted) order."""
        values = factset.lists.get(list_key, ())
        if not values:
            return []
        wanted = set(self.literals)
        for fact in factset.facts:
            for ref in self.refs:
                if ref.scope == fact.scope and isinstance(fact.fields.get(ref.name), str):
                    wanted.add(str(fact.fields[ref.name]))
        return [value for value in values if value in wanted]


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
    if isinstance(value, str):
        return _text(value, f"{fact.scope}.{name}")
    return value


def _text(value: str, where: str) -> str:
    """A text the engine compares exactly, or an EngineError saying why it cannot."""
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        raise EngineError(f"durable-rules cannot read {where}: it holds a lone surrogate "
                          f"(use engine 'compiled')") from None
    # Its JSON form (quotes not counted) is at most six bytes per byte: measured only when long.
    if len(encoded) > MAX_TEXT_BYTES // 6 and len(json.dumps(value, ensure_ascii=False).encode()) - 2 > MAX_TEXT_BYTES:
        raise EngineError(f"durable-rules compares texts of 65,536 bytes or more wrongly; {where} is "
                          f"{len(encoded):,} bytes (use engine 'compiled')")
    return value


def _rank_large_integers(facts: list[dict[str, Any]]) -> None:
    """Integers beyond ±EXACT_INTEGERS become their rank beyond it, in place.

    The engine clamps integers at 2**63, so two large counts would compare equal; every rule
    literal lies within ±2**53 (rules.schema.json), so replacing each large value by
    EXACT_INTEGERS + its rank among the large values of this snapshot (and the negative ones
    alike) keeps every comparison — with a literal or with another field — exactly as it was.
    """
    large = sorted({v for fact in facts for v in fact.values()
                    if type(v) is int and not -EXACT_INTEGERS <= v <= EXACT_INTEGERS})
    if not large:
        return
    positive = [v for v in large if v > 0]
    negative = [v for v in large if v < 0]
    rank = {v: EXACT_INTEGERS + 1 + i for i, v in enumerate(positive)}
    rank.update({v: -EXACT_INTEGERS - len(negative) + i for i, v in enumerate(negative)})
    for fact in facts:
        for name, value in fact.items():
            if type(value) is int and value in rank:
                fact[name] = rank[value]


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
        try:
            result = _engine.assert_facts(handle, text)
        except _engine.error as err:
            raise EngineError(f"durable-rules rejected the facts: {err}") from None
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
    finally:  # around the assert too: a session the engine created before failing is freed
        with contextlib.suppress(_engine.error):  # none, when the assert failed before creating it
            _engine.delete_state(handle, sid)


def _ruleset(digest: str, rules: tuple[Rule, ...]) -> int:
    """The compiled ruleset for these rules, built once per process and rule book."""
    with ENGINE_LOCK:
        key = (digest, tuple(rule.id for rule in rules))
        if key not in _RULESETS:
            definition: dict[str, Any] = {}
            for rule in rules:
                definition.update(compile_rule(rule))
            # Always matches the sentinel, so every assertion creates a session (see _run_session).
            definition[_KEEPALIVE] = {"all": [{"sentinel": {"t": _SENTINEL}}]}
            try:
                _RULESETS[key] = _engine.create_ruleset(
                    f"preflight_{digest}_{len(_RULESETS)}", json.dumps(definition, ensure_ascii=False)
                )
            except _engine.error as err:
                raise EngineError(f"durable-rules cannot build these rules: {err}") from None
        return _RULESETS[key]


def _fields_read(rules: tuple[Rule, ...]) -> tuple[dict[str, tuple[str, ...]], dict[str, _ListNeeds]]:
    """Per scope the fields rules read (sorted: fact bodies never depend on the hash seed), and
    per list the values they can match."""
    fields: dict[str, set[str]] = {}
    lists: dict[str, _ListNeeds] = {}
    for rule in rules:
        for item in walk(rule.when):
            if isinstance(item, (Compare, InList)):
                fields.setdefault(item.left.scope, set()).add(item.left.name)
            if isinstance(item, FieldPresence):
                fields.setdefault(item.field.scope, set()).add(item.field.name)
            if isinstance(item, Contains):
                needs = lists.setdefault(item.list_key, _ListNeeds())
                if isinstance(item.value, FieldRef):
                    needs.refs.add(item.value)
                else:
                    needs.literals.add(str(item.value))
        for ref in referenced_fields(rule.when):
            fields.setdefault(ref.scope, set()).add(ref.name)
    return {scope: tuple(sorted(names)) for scope, names in sorted(fields.items())}, lists


def compile_rule(rule: Rule) -> dict[str, dict[str, Any]]:
    """The durable-rules definitions of one rule (name -> definition): patterns over facts,
    joined by aliases. A rule whose own fact is joined with another fact's field becomes one
    definition per alternative of its condition (``id#1``, ``id#2``, …), each pattern a flat
    ``$and``; any other rule is one definition named by its id."""
    own = rule.scope
    parts = conjuncts(rule.when)
    needed = scopes_needed(rule.when, own)
    refs = referenced_fields(rule.when)
    by_home: dict[str, list[Condition]] = {}
    contains = [c for c in parts if isinstance(c, Contains)]
    absent = [c.scope for c in parts if isinstance(c, ScopePresence) and not c.present]
    for part in parts:
        if isinstance(part, (Contains, ScopePresence)):
            continue
        (home,) = home_scopes(part)
        if home != own:
            by_home.setdefault(home, []).append(part)
    negated = bool(absent) or any(c.negated for c in contains)
    mine = own_part(rule.when, own)
    joined = any(is_join(c, own) for c in walk(mine))
    if joined:  # one flat conjunction of atomic tests per alternative (the loader bounds them)
        alternatives = [[_atom(test, own) for test in tests]
                        for tests in multiplied_out(mine, MAX_JOIN_ALTERNATIVES) or ()]
    else:
        alternatives = [[_expression(mine, own, negate=False)]] if mine.items else [[]]
    out: dict[str, dict[str, Any]] = {}
    for number, atoms in enumerate(alternatives, start=1):
        name = rule.id if len(alternatives) == 1 else f"{rule.id}{_ALTERNATIVE}{number}"
        patterns: list[dict[str, Any]] = []
        if negated:
            patterns.append({"sentinel": {"t": _SENTINEL}})
        for scope in SINGLETON_SCOPES:
            if scope in needed:
                tests = [_expression(c, own, negate=False) for c in by_home.get(scope, [])]
                patterns.append({scope: _and([{"t": scope}, *_present(refs, scope), *tests])})
        patterns.append({"self": _and(_distinct([{"t": own}, *_present(refs, own), *atoms]))})
        for i, item in enumerate(contains):  # a pattern of its own: flat, whether it joins or not
            alias = f"item{i}$not" if item.negated else f"item{i}"
            patterns.append({alias: _and([{"t": _ITEM}, {"list": item.list_key}, {"value": _rhs(item.value, own)}])})
        for scope in absent:
            patterns.append({f"{scope}$not": {"t": scope}})
        # "dist": 0 lets one fact match several patterns of a rule: the negations' sentinel, and
        # one list value tested twice (contains x and contains {ref} that equals x).
        out[name] = {"all": patterns, "dist": 0}
    return out


def _atom(test: Test, own: str) -> dict[str, Any]:
    """A durable test for one atomic test of the language (conditions.Test)."""
    name = test.field.name
    if test.op in ("present", "absent"):
        return {"$ex" if test.op == "present" else "$nex": {name: 1}}
    if isinstance(test.value, FieldRef):
        ref = test.value
        return _compare(test.op, name, {"$m": ref.name} if ref.scope == own else {ref.scope: ref.name})
    return _compare(test.op, name, test.value)


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _present(refs: set[FieldRef], scope: str) -> list[dict[str, Any]]:
    return [{"$ex": {r.name: 1}} for r in sorted(refs, key=str) if r.scope == scope]


def _and(items: list[Any]) -> Any:
    """All of the tests (nested ands merged: each and/or costs two of the 32 places the engine
    has per pattern for them and its joins)."""
    flat = [part for item in items for part in (item["$and"] if _is_group(item, "$and") else [item])]
    return flat[0] if len(flat) == 1 else {"$and": flat}


def _or(items: list[Any]) -> Any:
    """Any of the tests (nested ors merged)."""
    flat = [part for item in items for part in (item["$or"] if _is_group(item, "$or") else [item])]
    return flat[0] if len(flat) == 1 else {"$or": flat}


def _is_group(item: Any, key: str) -> bool:
    return isinstance(item, dict) and len(item) == 1 and key in item


def _rhs(value: Any, own: str) -> Any:
    if isinstance(value, FieldRef):
        return {"self": value.name} if value.scope == own else {value.scope: value.name}
    return value


def _operand(condition: Compare, own: str) -> Any:
    """The right-hand side: a literal, a field of the own fact ($m) or another fact's (a join)."""
    right = condition.right
    if isinstance(right, FieldRef):
        return {"$m": right.name} if right.scope == own else {right.scope: right.name}
    return right


def _compare(op: str, name: str, rhs: Any) -> dict[str, Any]:
    if op == "eq":
        return {name: rhs}
    return {_DURABLE_OP[op]: {name: rhs}}


def _expression(condition: Condition, own: str, negate: bool) -> Any:
    """A durable expression for a condition on one fact without joins (nested and/or are then
    evaluated by the alpha network alone); ``negate`` pushes a not inwards."""
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
        rhs = _operand(condition, own) if condition.left.scope == own else condition.right
        if not negate:  # a comparison is tested only on a fact that has the field
            return _compare(condition.op, name, rhs)
        # not (x op v): the opposite comparison, or x absent (a comparison on absent is false)
        return _or([{"$nex": {name: 1}}, _compare(_NEGATED_OP[condition.op], name, rhs)])
    if isinstance(condition, InList):
        name = condition.left.name
        equal_any = _or([{name: v} for v in condition.values])
        equal_none = _and([{"$neq": {name: v}} for v in condition.values])
        wants_in = condition.negated == negate  # `in`, or `not_in` under a not
        if not negate:  # in / not_in: the field is present and (not) among the values
            return equal_any if wants_in else equal_none
        # under a not: the field is absent, or (not) among the values
        return _or([{"$nex": {name: 1}}, equal_any if wants_in else equal_none])
    raise TypeError(f"cannot compile {condition!r} into one pattern")
