"""The interface's own words: both languages say the same things."""

from __future__ import annotations

import string

from preflight.ui_text import REPORT


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    """No label missing in one language; every placeholder in both."""
    assert set(REPORT["nl"]) == set(REPORT["en"])
    for key in REPORT["nl"]:
        assert _fields(REPORT["nl"][key]) == _fields(REPORT["en"][key]), key
        assert REPORT["nl"][key].strip() and REPORT["en"][key].strip(), key
