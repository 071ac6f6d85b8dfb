"""preflight.neutralise: values from a snapshot are made harmless for a terminal, a spreadsheet and UTF-8."""

from __future__ import annotations

import json

import pytest

from preflight.neutralise import encodable, for_spreadsheet, for_terminal


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[32mKLAAR", "\\x1b[2J\\x1b[32mKLAAR"),  # clear screen, paint green
        ("a\rb\nc\td", "a\\rb\\nc\\td"),
        ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),  # NUL, DEL, the one-byte CSI
        ("abc\u202edcb", "abc\\u202edcb"),  # right-to-left override
        ("x\u2028y", "x\\u2028y"),
        ("\ud800", "\\ud800"),
    ],
)
def test_for_terminal_writes_what_a_terminal_would_act_on_as_escapes(text: str, shown: str) -> None:
    """Control characters, bidirectional controls, line separators and lone surrogates become escapes."""
    assert for_terminal(text) == shown
    assert shown.isprintable()


def test_for_terminal_leaves_ordinary_text_alone() -> None:
    """Accents, emoji, backslashes and spaces are shown as they are."""
    text = "Brouwer & Partners — café 🍰 C:\\exports\\a.json"
    assert for_terminal(text) == text


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=HYPERLINK(\"http://x\",\"klik\")", "'=HYPERLINK(\"http://x\",\"klik\")"),
        ("+31 20 123", "'+31 20 123"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1 is less than the minimum of 0", "'-1 is less than the minimum of 0"),
    ],
)
def test_for_spreadsheet_quotes_a_cell_that_would_start_a_formula(cell: str, written: str) -> None:
    """OWASP's rule: a cell starting with = + - @ tab or CR gets a single quote in front."""
    assert for_spreadsheet(cell) == written


@pytest.mark.parametrize("cell", ["", "B00001", "administration:1001", "-1", "+2.5", "42", "a=b", "'quoted"])
def test_for_spreadsheet_leaves_plain_values_and_numbers_alone(cell: str) -> None:
    """Ordinary text, and plain numbers (which cannot be formulas), keep their meaning."""
    assert for_spreadsheet(cell) == cell


def test_encodable_escapes_lone_surrogates_so_json_reads_the_same_value_back() -> None:
    """A lone surrogate becomes its escape; inside a JSON string that is the same value again."""
    fragment = json.dumps({"name": "a\ud800b é"}, ensure_ascii=False)
    safe = encodable(fragment)
    safe.encode("utf-8")
    assert json.loads(safe) == {"name": "a\ud800b é"}
    assert encodable("café") == "café"
