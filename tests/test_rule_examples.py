"""Every example of every rule, on every engine: the rule reports exactly the listed subjects."""

from __future__ import annotations

import pytest

from preflight.pipeline import EVALUATORS, engine_unavailable
from preflight.rule_examples import load_base, run_example
from preflight.rulebook import default_rulebook


def _marks(engine: str) -> list[pytest.MarkDecorator]:
    reason = engine_unavailable(engine)  # durable-rules does not import on Python 3.13
    return [pytest.mark.skip(reason=reason)] if reason else []


CASES = [
    pytest.param(rule, example, engine, id=f"{rule.id}:{example.name}:{engine}", marks=_marks(engine))
    for rule in default_rulebook().rules
    for example in rule.examples
    for engine in EVALUATORS
]


@pytest.mark.parametrize(("rule", "example", "engine"), CASES)
def test_rule_example(rule, example, engine):
    """The rule fires for exactly the subjects the example lists (none: it must not fire)."""
    result = run_example(rule, example, engine, load_base())
    assert not result.errors, result.describe()
    assert sorted(result.actual) == sorted(result.expected), result.describe()


def test_every_catalogue_rule_exists_with_its_severity_and_mode():
    """The 28 rules of shared/spec/rules.md exist with their exact id, severity and mode."""
    catalogue = {
        "target-environment-missing": ("blocking", "M"),
        "target-subscription-not-premium": ("blocking", "M"),
        "target-accounting-link-missing": ("blocking", "M"),
        "requester-not-superuser": ("blocking", "M"),
        "requester-unknown": ("blocking", "M"),
        "receiver-not-superuser": ("blocking", "M"),
        "office-without-superuser": ("advisory", "A"),
        "administration-not-in-source": ("blocking", "M"),
        "administration-requested-twice": ("blocking", "M"),
        "package-not-self-service": ("blocking", "M"),
        "accounting-package-mismatch": ("blocking", "M"),
        "not-migrated-in-accounting-package": ("blocking", "M"),
        "administration-exists-in-target": ("blocking", "M"),
        "batch-too-large": ("advisory", "M"),
        "documents-awaiting-authorisation": ("blocking", "A"),
        "workflow-with-authorisers": ("blocking", "A"),
        "workflow-present": ("advisory", "A"),
        "authorisation-required": ("blocking", "A"),
        "subadministration": ("blocking", "A"),
        "payment-agreement-moves": ("advisory", "A"),
        "users-not-migrated": ("advisory", "A"),
        "personal-archive-lost": ("advisory", "A"),
        "submission-email-changes": ("info", "M"),
        "transfer-code-expired": ("blocking", "M"),
        "migration-completed": ("blocking", "M"),
        "migration-withdrawn": ("blocking", "M"),
        "email-addresses-locked": ("advisory", "M"),
        "grant-access-after-migration": ("info", "M"),
    }
    rules = {r.id: (r.severity, r.catalogue_mode()) for r in default_rulebook().rules}
    missing = set(catalogue) - set(rules)
    assert not missing
    assert {rid: rules[rid] for rid in catalogue} == catalogue


def test_every_rule_has_an_example_that_fires_and_one_that_does_not():
    """A rule whose examples all fire (or all stay silent) proves nothing."""
    for rule in default_rulebook().rules:
        assert any(e.fires for e in rule.examples), rule.id
        assert any(not e.fires for e in rule.examples), rule.id


def test_rule_messages_differ_per_language():
    """Each rule speaks Dutch and English, and they are not the same text."""
    for rule in default_rulebook().rules:
        for variant in (*rule.message, *rule.remedy):
            assert variant.nl.strip() and variant.en.strip()
            assert variant.nl != variant.en, rule.id
