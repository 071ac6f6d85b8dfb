"""Step 6: turn the evaluator's activations into findings: texts, evidence and pointers.

A finding says, in the reader's language, what a rule found about one subject (its kind, key and
administration as data), with the rule's remedy, its source (FAQ question and address), the
snapshot values that made it fire (``evidence``) and where they are (``pointers``, JSON
pointers into the snapshot). Its severity and its step of the plan are the rule's in the phase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NamedTuple

from .activation import Activation
from .conditions import Compare, Contains, FieldPresence, FieldRef, InList, ScopePresence, walk
from .facts import LIST_POINTERS, SCOPE_POINTERS, Fact, FactSet, Subject, derive_facts, field_kind
from .rulebook import Rule, RuleBook, TextVariant
from .vocabulary import Phase, Severity
from .wording import format_value, render


class Finding(NamedTuple):
    """One rule that fired for one subject, in one language (an immutable record: the compiled
    engine builds many, and a tuple is built several times faster than a frozen dataclass)."""

    rule: str
    severity: Severity
    about: Subject
    message: str
    remedy: str
    faq: str
    faq_url: str
    step: str
    evidence: dict[str, Any]
    pointers: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The report's subject text, e.g. 'administration:1001' (v1)."""
        return str(self.about)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "about": self.about.to_dict(),
            "step": self.step,
            "message": self.message,
            "remedy": self.remedy,
            "faq": self.faq,
            "faq_url": self.faq_url,
            "evidence": dict(self.evidence),
            "pointers": list(self.pointers),
        }


class FactEvaluator:
    """An evaluator of facts (durable-rules, the interpreter): its findings come step by step —
    derive the facts, evaluate them into activations, build a finding per activation."""

    rulebook: RuleBook

    def evaluate(self, factset: FactSet) -> list[Activation]:
        raise NotImplementedError

    def findings(self, snapshot: dict[str, Any], phase: Phase, lang: str) -> list[Finding]:
        """The findings of a valid snapshot in ``phase``, with texts in ``lang``."""
        factset = derive_facts(snapshot, phase)
        return build_findings(self.evaluate(factset), factset, self.rulebook, lang)


def build_findings(
    activations: Iterable[Activation], factset: FactSet, rulebook: RuleBook, lang: str
) -> list[Finding]:
    """One finding per activation, its texts filled in from the matched fact."""
    facts = {fact.key: fact for fact in factset.facts}
    singletons = {f.scope: f for f in factset.facts if f.key == f.scope}
    phase = factset.phase
    sources = _pointer_sources(rulebook)
    out = []
    for activation in activations:
        rule = rulebook.by_id(activation.rule_id)
        fact = facts[activation.fact_key]

        def lookup(name: str, fact: Fact = fact) -> Any:
            return _lookup(name, fact, singletons)

        def show(name: str, value: Any, scope: str = rule.scope) -> str:
            return format_value(value, field_kind(scope, name), lang, rulebook.display)

        out.append(
            Finding(
                rule=rule.id,
                severity=rule.severity_in(phase),
                about=fact.subject,
                message=render(choose_variant(rule.message, lookup, phase).template(lang), lang, lookup, show),
                remedy=render(choose_variant(rule.remedy, lookup, phase).template(lang), lang, lookup, show),
                faq=rule.faq,
                faq_url=rule.faq_url,
                step=rule.step_in(phase),
                evidence={n: v for n in rule.evidence if (v := lookup(n)) is not None},
                pointers=_pointers(sources[rule.id], fact, singletons),
            )
        )
    return out


def _lookup(name: str, fact: Fact, singletons: dict[str, Fact]) -> Any:
    scope, _, field_name = name.rpartition(".")
    source = fact if not scope or scope == fact.scope else singletons.get(scope)
    return None if source is None else source.fields.get(field_name)


def choose_variant(variants: tuple[TextVariant, ...], lookup: Callable[[str], Any], phase: str) -> TextVariant:
    """The first variant whose ``if_phase`` holds the phase and whose ``if_present`` fields all
    have a value (the last variant has neither condition)."""
    for variant in variants:
        if variant.if_phase and phase not in variant.if_phase:
            continue
        if all(lookup(name) is not None for name in variant.if_present):
            return variant
    return variants[-1]


# A pointer source: ("field", FieldRef) | ("list", "scope.list") | ("scope", scope)
PointerSource = tuple[str, Any]


@cache
def _pointer_sources(rulebook: RuleBook) -> dict[str, tuple[PointerSource, ...]]:
    return {rule.id: pointer_sources(rule) for rule in rulebook.rules}


def pointer_sources(rule: Rule) -> tuple[PointerSource, ...]:
    """What a rule's findings rest on: the fields, lists and scopes its condition tests, then
    its evidence — in that order, once each."""
    out: list[PointerSource] = []

    def add(source: PointerSource) -> None:
        if source not in out:
            out.append(source)

    for item in walk(rule.when):
        if isinstance(item, (Compare, InList)):
            add(("field", item.left))
            if isinstance(item, Compare) and isinstance(item.right, FieldRef):
                add(("field", item.right))
        elif isinstance(item, FieldPresence):
            add(("field", item.field))
        elif isinstance(item, ScopePresence):
            add(("scope", item.scope))
        elif isinstance(item, Contains):
            add(("list", item.list_key))
            if isinstance(item.value, FieldRef):
                add(("field", item.value))
    for name in rule.evidence:
        scope, _, field_name = name.rpartition(".")
        owner = scope if scope and scope != rule.scope else rule.scope
        add(("field", FieldRef(owner, field_name, own=owner == rule.scope)))
    return tuple(out)


def _pointers(sources: tuple[PointerSource, ...], fact: Fact, singletons: dict[str, Fact]) -> tuple[str, ...]:
    out: list[str] = []
    for kind, value in sources:
        if kind == "field":
            owner = fact if value.own else singletons.get(value.scope)
            found = owner.pointers(value.name) if owner is not None else (SCOPE_POINTERS[value.scope],)
        elif kind == "list":
            found = (LIST_POINTERS[value],)
        else:
            found = (SCOPE_POINTERS[value],)
        out.extend(p for p in found if p not in out)
    return tuple(out)
