"""``--movable FILE``: the administrations that can move now, as a CSV for the migration team.

One row per administration in a proposed migration (the report's ``batches.ready``: at most
five administrations each) of an office that can start a migration now (``can_start_now``):

    office, office_name, target_office, migration, administration, administration_name, new_code,
    source, line

``migration`` numbers the proposed migrations of an office from 1; ``new_code`` is the code the
administration gets in the new office (the request's new code, else its own); ``target_office``
is the office it moves to when the snapshot names one (a snapshot with a migration). UTF-8 with a
byte order mark, CRLF, and every text cell neutralised against formula injection as in the CSV
output.

An option beside ``--format`` rather than a format of its own: one audit gives operations both
their report (and next week's ``--baseline``) and the list to hand over, from the same reading of
the same snapshots — a second run over ten thousand offices would cost minutes and could see
other exports.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..summary import AuditSummary
from .base import Writer
from .csv_output import SafeRows, header

COLUMNS = (
    "office", "office_name", "target_office", "migration", "administration", "administration_name", "new_code",
    "source", "line",
)


def fragment(detail: dict[str, Any], lang: str) -> str:
    """The rows of one office: nothing unless it can start a migration now."""
    movable = detail.get("movable")
    if not movable or not movable["can_start_now"]:
        return ""
    report = detail["report"]
    context = report["context"]
    by_code = {a["code"]: a for a in context["administrations"]}
    target = (context.get("target_office") or {}).get("code") or ""
    line = "" if detail["line"] is None else detail["line"]
    buffer = io.StringIO()
    rows = SafeRows(csv.writer(buffer))
    for number, batch in enumerate(report["batches"]["ready"], start=1):
        for code in batch:
            admin = by_code.get(code) or {}
            rows.writerow((detail["office"] or "", detail["name"] or "", target, number, code, admin.get("name") or "",
                           admin.get("new_code") or code, detail["source"], line))
    return buffer.getvalue()


class MovableWriter(Writer):
    """The header, then the rows as they come."""

    spool = False

    def begin(self) -> None:
        self.dest.write(header(COLUMNS))


    def end(self, summary: AuditSummary) -> None:
        """Nothing after the rows."""


WRITER = MovableWriter
