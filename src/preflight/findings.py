"""Step 6: turn the evaluator's activations into findings with message, remedy and evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .activation import Activation
from .facts import Fact, FactSet
from .rulebook import RuleBook, TextVariant

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_]+(?:\.[a-z_]+)?)\}")
_WORDS = {"nl": {True: "ja", False: "nee"}, "en": {True: "yes", False: "no"}}


@dataclass(frozen=True)
class Finding:
    """One rule that fired for one subject, in one language."""

    rule: str
    severity: str
    subject: str
    message: str
    remedy: str
    faq: str
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "remedy": self.remedy,
            "faq": self.faq,
            "evidence": dict(self.evidence),
        }


def build_findings(
    activations: Iterable[Activation], factset: FactSet, rulebook: RuleBook, lang: str
) -> list[Finding]:
    """One finding per activation, its texts filled in from the matched fact."""
    facts = {fact.key: fact for fact in factset.facts}
    singletons = {f.scope: f for f in factset.facts if f.key == f.scope}
    out = []
    for activation in activations:
        rule = rulebook.by_id(activation.rule_id)
        fact = facts[activation.fact_key]

        def lookup(name: str, fact: Fact = fact) -> Any:
            return _lookup(name, fact, singletons)

        out.append(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                subject=fact.subject,
                message=_fill(_choose(rule.message, lookup), lang, lookup),
                remedy=_fill(_choose(rule.remedy, lookup), lang, lookup),
                faq=rule.faq,
                evidence={n: v for n in rule.evidence if (v := lookup(n)) is not None},
            )
        )
    return out


def _lookup(name: str, fact: Fact, singletons: dict[str, Fact]) -> Any:
    scope, _, field_name = name.rpartition(".")
    source = fact if not scope or scope == fact.scope else singletons.get(scope)
    return None if source is None else source.fields.get(field_name)


def _choose(variants: tuple[TextVariant, ...], lookup: Any) -> TextVariant:
    for variant in variants:
        if all(lookup(name) is not None for name in variant.if_present):
            return variant
    return variants[-1]


def _fill(variant: TextVariant, lang: str, lookup: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        value = lookup(match.group(1))
        if value is None:
            return "?"
        if isinstance(value, bool):
            return _WORDS[lang][value]
        return str(value)

    return _PLACEHOLDER.sub(replace, variant.in_language(lang))
