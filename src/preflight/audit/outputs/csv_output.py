"""``--format csv``: one row per finding, for spreadsheets.

Columns: office, administration, subject, rule, severity, message, source, line.
``administration`` is the administration the finding belongs to (empty for an office-level
finding). A snapshot that could not be checked gets one row per error with severity ``invalid``
(subject: the JSON pointer of the error, rule empty), or one row with severity ``failed``, so a
filter on the severity column finds them. UTF-8 with a byte order mark, so spreadsheet programs
show accented names correctly; rows end in CRLF (RFC 4180).

Formula injection (OWASP's rule): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a line break would be read as a formula by spreadsheet programs, so it is written with a
single quote in front (``'=HYPERLINK(…)``), which they show as text. A cell that is a plain
number (``-1``) cannot be a formula and is left as it is; so is the line column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ...neutralise import for_spreadsheet
from ..office import administration_of
from .base import Writer

COLUMNS = ("office", "administration", "subject", "rule", "severity", "message", "source", "line")


def fragment(detail: dict[str, Any], lang: str) -> str:
    """The rows of one office."""
    buffer = io.StringIO()
    rows = _SafeRows(csv.writer(buffer))
    office = detail["office"] or ""
    line = "" if detail["line"] is None else detail["line"]
    source = detail["source"]
    if detail["verdict"] == "failed":
        rows.writerow((office, "", "", "", "failed", detail["failure"], source, line))
    elif detail["verdict"] == "invalid":
        for error in detail["report"]["errors"]:
            where = f"line {error['line']}, column {error.get('column', 1)}: " if "line" in error else ""
            rows.writerow((office, "", error["path"], "", "invalid", where + error["message"], source, line))
    else:
        for f in detail["report"]["findings"]:
            admin = administration_of(f) or ""
            rows.writerow((office, admin, f["subject"], f["rule"], f["severity"], f["message"], source, line))
    return buffer.getvalue()


class _SafeRows:
    """A csv writer whose text cells are neutralised against formula injection."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self.writer.writerow([for_spreadsheet(cell) if isinstance(cell, str) else cell for cell in row])


class CsvWriter(Writer):
    """The header first, then the rows as they come (nothing to spool)."""

    spool = False

    def begin(self) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(COLUMNS)
        self.dest.write("\ufeff" + buffer.getvalue())


WRITER = CsvWriter
