"""Output neutralisation: values from a snapshot (or a file name) made safe for where they go.

- :func:`for_terminal`: text for a terminal or a log — control characters (C0, DEL, C1), the
  Unicode bidirectional controls and line separators, and lone surrogates become visible
  backslash escapes (``\\x1b``, ``\\u202e``, ``\\ud800``), so a name can neither move the
  cursor, clear the screen, recolour or reorder what follows, nor break the line it is on;
- :func:`for_spreadsheet`: a CSV cell — one that starts like a formula is prefixed with a
  single quote (the OWASP rule), so a spreadsheet program shows it as text;
- :func:`encodable`: text any UTF-8 writer accepts — lone surrogates (``"\\ud800"`` in a JSON
  string, a file name that is not UTF-8) become their backslash escape, which inside a JSON
  string is the same value again.

Each is the identity on ordinary text, and each is deterministic.
"""

from __future__ import annotations

import re

#: What a terminal would act on instead of showing: C0 controls (tab and line breaks too), DEL,
#: C1 controls, the bidirectional embeddings, overrides, isolates and marks, the Unicode line and
#: paragraph separators, and lone surrogates (not text at all).
_UNSAFE_ON_TERMINAL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

#: A cell starting with one of these is read as a formula by spreadsheet programs: OWASP's list
#: (= + - @ tab carriage return), plus line feed and NUL, which some programs strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every character a terminal would act on written as a backslash escape."""
    return _UNSAFE_ON_TERMINAL.sub(_escape, text)


def for_spreadsheet(cell: str) -> str:
    """``cell`` prefixed with ``'`` when it would start a formula (a plain number stays a number)."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def encodable(text: str) -> str:
    """``text`` unchanged when it is valid Unicode, else with its lone surrogates escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
