"""The docs that describe rules and facts cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from preflight.facts import FACT_FIELDS, FACT_LISTS

from .regenerate import stale

ROOT = Path(__file__).resolve().parent.parent


def test_rules_reference_is_current():
    """docs/rules.md is what `preflight rules --format markdown` prints now (`make docs` rewrites it)."""
    problems = stale("docs")
    assert not problems, "\n\n".join(problems)


def test_every_fact_and_list_is_documented():
    """Each field and list a rule may use appears in docs/rule-language.md."""
    text = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    for scope, fields in FACT_FIELDS.items():
        for name in fields:
            assert f"`{name}`" in text, f"{scope}.{name} is not documented"
    for scope, lists in FACT_LISTS.items():
        for name in lists:
            assert f"`{scope}.{name}`" in text
