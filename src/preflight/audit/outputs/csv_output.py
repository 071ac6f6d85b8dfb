"""``--format csv``: for spreadsheets — a row per office, a row per finding, a row of totals.

Columns: office, administration, subject, rule, severity, message, source, line, verdict,
administrations, can_start_now, migrations, ready, after_fixes, cannot_move, change.

The ``severity`` column says what a row is, so a filter on it picks the rows wanted:

- ``office``: one per snapshot, first of its rows: ``message`` is the office's name, ``verdict``
  its verdict, then its administrations, whether it can start a migration now (1 or 0), the
  proposed migrations of at most five and the administrations ready, after fixes and that
  cannot move (empty where unknown: a snapshot that could not be checked);
- ``blocking``, ``advisory``, ``info``: one per finding; ``administration`` is the
  administration it belongs to (empty for an office- or migration-level finding);
- ``invalid``: one per error of a snapshot that could not be checked (subject: the JSON pointer
  of the error), ``failed``: one for a snapshot whose check failed;
- ``total``: the last row: ``message`` is the number of offices, then the sums over them
  (``can_start_now``: the offices that can; ``migrations``: their proposed migrations).

With ``--baseline`` the ``change`` column says ``new`` or ``open`` for a finding, ``fixed`` for a
finding of the previous audit that is gone (its row carries the rule's title as message), ``new``
on the office row of an office that was not in the previous audit, and ``gone`` on an office row
(at the end) for one that is no longer audited.

UTF-8 with a byte order mark, so spreadsheet programs show accented names correctly; rows end in
CRLF (RFC 4180). Formula injection (OWASP's rule): a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a line break would be read as a formula by spreadsheet programs, so it is
written with a single quote in front (``'=HYPERLINK(…)``), which they show as text. A cell that is
a plain number (``-1``) cannot be a formula and is left as it is; so is the line column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ...neutralise import for_spreadsheet
from ...rulebook import default_rulebook
from ..office import administration_of
from ..summary import AuditSummary
from .base import Writer

COLUMNS = (
    "office", "administration", "subject", "rule", "severity", "message", "source", "line", "verdict",
    "administrations", "can_start_now", "migrations", "ready", "after_fixes", "cannot_move", "change",
)
_BLANK_COUNTS = ("", "", "", "", "", "")


def fragment(detail: dict[str, Any], lang: str) -> str:
    """The rows of one office: its office row, then its findings (or errors, or failure)."""
    buffer = io.StringIO()
    rows = SafeRows(csv.writer(buffer))
    office = detail["office"] or ""
    line = "" if detail["line"] is None else detail["line"]
    source = detail["source"]
    changes = detail.get("changes")
    report = detail["report"]
    rows.writerow((office, "", f"office:{office}" if office else "", "", "office", detail["name"] or "", source,
                   line, detail["verdict"], *_counts(detail), "new" if changes and not changes["previous_verdict"]
                   else ""))
    if detail["verdict"] == "failed":
        rows.writerow((office, "", "", "", "failed", detail["failure"], source, line, *_BLANK_COUNTS, "", ""))
    elif detail["verdict"] == "invalid":
        for error in report["errors"]:
            where = f"line {error['line']}, column {error.get('column', 1)}: " if "line" in error else ""
            rows.writerow((office, "", error["path"], "", "invalid", where + error["message"], source, line,
                           *_BLANK_COUNTS, "", ""))
    else:
        new = set(changes["new"]) if changes else set()
        for index, f in enumerate(report["findings"]):
            change = ("new" if index in new else "open") if changes else ""
            rows.writerow((office, administration_of(f) or "", f["subject"], f["rule"], f["severity"], f["message"],
                           source, line, *_BLANK_COUNTS, "", change))
    for f in changes["fixed"] if changes else ():
        rows.writerow((office, f["about"].get("administration") or "", f["subject"], f["rule"], f["severity"],
                       _title(f["rule"], lang), source, line, *_BLANK_COUNTS, "", "fixed"))
    return buffer.getvalue()


def _counts(detail: dict[str, Any]) -> tuple[Any, ...]:
    movable = detail["movable"]
    admins = detail["administrations"]
    if movable is None:
        return ("" if admins is None else admins, "", "", "", "", "")
    return (admins, int(movable["can_start_now"]), movable["migrations"], movable["ready"], movable["after_fixes"],
            movable["cannot_move"])


def _title(rule_id: str, lang: str) -> str:
    try:
        return default_rulebook().by_id(rule_id).title.in_language(lang)
    except KeyError:
        return rule_id


class SafeRows:
    """A csv writer whose text cells are neutralised against formula injection."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self.writer.writerow([for_spreadsheet(cell) if isinstance(cell, str) else cell for cell in row])


def header(columns: Iterable[str]) -> str:
    """The header line, with the byte order mark spreadsheet programs need to read UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(columns)
    return "\ufeff" + buffer.getvalue()


class CsvWriter(Writer):
    """The header first, then the rows as they come (nothing to spool), then the offices no
    longer audited (with a baseline) and the totals."""

    spool = False

    def begin(self) -> None:
        self.dest.write(header(COLUMNS))

    def end(self, summary: AuditSummary) -> None:
        buffer = io.StringIO()
        rows = SafeRows(csv.writer(buffer))
        if summary.comparison is not None:
            for gone in summary.comparison.gone_offices:
                office = gone["office"] or ""
                rows.writerow((office, "", f"office:{office}" if office else "", "", "office", gone["name"] or "",
                               gone["source"], "" if gone["line"] is None else gone["line"], gone["verdict"],
                               *_BLANK_COUNTS, "gone"))
        movable = summary.movable
        rows.writerow(("", "", "", "", "total", summary.offices, "", "", "", summary.administrations,
                       movable.offices_can_start_now, movable.migrations, movable.ready, movable.after_fixes,
                       movable.cannot_move, ""))
        self.dest.write(buffer.getvalue())


WRITER = CsvWriter
