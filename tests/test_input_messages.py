"""The catalogue of input texts: both languages for every text, the same placeholders in each."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest

from preflight.input_messages import FOUND, MESSAGES, PARSER_TEXTS, TYPE_NAMES, closest, number, parser_text, say


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_dutch_and_english_with_the_same_placeholders(key):
    """No text exists in one language only, and both fill in the same values."""
    entry = MESSAGES[key]
    assert set(entry) == {"nl", "en"}
    assert placeholders(entry["nl"]) == placeholders(entry["en"])


def test_the_small_tables_have_both_languages_and_parser_texts_have_dutch():
    """Type names and value kinds in both languages; each translated parser message in Dutch."""
    assert all(set(names) == {"nl", "en"} for names in [*TYPE_NAMES.values(), *FOUND.values()])
    assert all("nl" in entry for entry in PARSER_TEXTS.values())


def test_parser_messages_are_translated_or_quoted():
    """A known parser message is worded in Dutch; an unknown one is quoted; English keeps the parser's words."""
    assert parser_text("Expecting ':' delimiter", "nl") == "hier hoort een dubbele punt (:) na de veldnaam"
    assert parser_text("Expecting ':' delimiter", "en") == "Expecting ':' delimiter"
    assert parser_text("something new", "nl") == "de lezer meldt 'something new'"


def test_numbers_are_grouped_per_language():
    """10.000 in Dutch, 10,000 in English."""
    assert (number(10_000, "nl"), number(10_000, "en"), number(999, "nl")) == ("10.000", "10,000", "999")


@pytest.mark.parametrize(
    ("word", "meant"),
    [("newcode", "new_code"), ("New-Code", "new_code"), ("Supergebruiker", "superuser"), ("premum", "premium"),
     ("verplicht", "required"), ("colour", None)],
)
def test_closest_finds_the_name_meant(word, meant):
    """Case, separators, spelling and the FAQ's Dutch terms lead to the contract's name; nothing near, None."""
    candidates = ["new_code", "code", "superuser", "client", "premium", "trial", "none", "optional", "required"]
    assert closest(word, candidates) == meant


def test_an_unknown_language_is_refused():
    """Only nl and en."""
    with pytest.raises(ValueError, match="unknown language"):
        say("empty", "de")


@pytest.mark.parametrize("example", ["ready.json", "invalid.json", "not-json.txt"])
def test_checking_a_snapshot_does_not_import_python_jsonschema(examples_dir, example):
    """python-jsonschema (about 0.3 s to import) is the validator's second opinion, not on a check's way."""
    code = (
        "import sys; from preflight.pipeline import check; "
        f"check(open({str(examples_dir / example)!r}, 'rb').read(), engine='python'); "
        "print('jsonschema' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "False"
