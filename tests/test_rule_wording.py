"""Every rule's texts, as people read them: no contract codes, no plural shortcuts, no ISO dates.

Each rule's examples are checked in both languages, so every variant a rule has is rendered with
real values (display names, plurals, dates) and read as a customer would hear it.
"""

from __future__ import annotations

import re

import pytest

from preflight.pipeline import check
from preflight.rule_examples import example_snapshot, load_base
from preflight.rulebook import default_rulebook

_EMAIL = re.compile(r"\S+@\S+")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_SHORTCUT = re.compile(r"\w\((?:en|s|n|e|es)\)")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}")


#: Dutch words that are also codes: shown as is, they are not leaks.
_DUTCH_WORDS = {"accountant"}


def _codes() -> set[str]:
    """The contract's single-word codes (multi-word ones are caught as identifiers)."""
    return {code for codes in default_rulebook().display.kinds().values() for code in codes if "_" not in code}


def _problems(text: str, lang: str) -> list[str]:
    """What in ``text`` a customer should never hear: a code of the contract, a field name, a
    plural shortcut or an ISO timestamp. In Dutch any English code is a leak; in English a code
    is an ordinary word ('none', 'superuser') unless it is quoted as a value ('trial')."""
    plain = _EMAIL.sub("", text)
    found = []
    for code in _codes():
        if lang == "nl" and code not in _DUTCH_WORDS:
            pattern = rf"(?<![\w-]){re.escape(code)}(?![\w-])"
        else:
            pattern = rf"['\"`]{re.escape(code)}['\"`]"
        if re.search(pattern, plain):
            found.append(f"contract code {code!r}")
    found += [f"identifier {m!r}" for m in _SNAKE.findall(plain)]
    found += [f"plural shortcut {m!r}" for m in _SHORTCUT.findall(plain)]
    found += [f"ISO timestamp {m!r}" for m in _ISO.findall(plain)]
    return found


RULES = default_rulebook().rules


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_rule_texts_read_as_people_speak(rule, lang):
    """Messages and remedies of every example that fires, in both languages."""
    base = load_base()
    rendered = 0
    for example in rule.examples:
        report = check(example_snapshot(example, base), lang=lang, engine="python")
        for finding in report.findings:
            if finding.rule != rule.id:
                continue
            rendered += 1
            for kind, text in (("message", finding.message), ("remedy", finding.remedy)):
                assert not _problems(text, lang), f"{rule.id} [{example.name}] {kind}: {text!r}: {_problems(text, lang)}"
    assert rendered, f"{rule.id}: no example fires, so its texts are never read"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_plan_texts_read_as_people_speak(lang):
    """Step titles and actions too."""
    for step in default_rulebook().steps:
        for text in (step.title.in_language(lang), step.action.in_language(lang)):
            assert not _problems(text, lang), (step.id, text)


def test_the_guard_itself_catches_what_it_must():
    """A self-check of the guard: each kind of slip is caught, plain text is not."""
    assert _problems("Rol restricted_client gevonden", "nl")
    assert _problems("3 document(en) wachten", "nl")
    assert _problems("verlopen op 2026-11-22T09:30:00+01:00", "nl")
    assert _problems("abonnement trial", "nl")
    assert _problems("has subscription 'trial'", "en")
    assert _problems("Status: code_sent", "en")
    assert not _problems("Beperkte klantgebruiker met abonnement Trial, op 22 november 2026 (adv01.2001@x.nl)", "nl")
