"""``--format json``: the contract's summary (report.md, audit part) plus every office's detail.

Layout (schemas/audit.schema.json)::

    {
      "audit_version": 2, "lang": "nl", "run_at": "…", "inputs": […], "readiness_only": false,
      "offices": N, "administrations": N, "invalid": N, "failed": N, "blocked_administrations": N,
      "verdicts": {…}, "by_severity": {…}, "by_rule": {"rule-id": findings}, "offices_by_rule": {…},
      "movable": {…}, "baseline": {…} (with --baseline),
      "reports": [
    {one office per line, in input order},
    …
      ]
    }

One office a line, unindented, is what :mod:`..baseline` streams when this output is next
time's ``--baseline`` (a file re-indented by another tool is read whole instead).
"""

from __future__ import annotations

import json
from typing import Any

from ...report import dump_json
from ..summary import AuditSummary
from .base import Writer


def fragment(detail: dict[str, Any], lang: str) -> str:
    """One office as one line of compact JSON (written the way reports are: orjson, or the same
    bytes from the standard library where orjson cannot)."""
    return dump_json(detail, indent=None)[:-1]


class JsonWriter(Writer):
    """The summary object, with the spooled office lines as its ``reports`` array."""

    def add(self, outcome: Any) -> None:
        self.body.write(",\n" if self.count else "\n")
        super().add(outcome)

    def write_head(self, summary: AuditSummary) -> None:
        head = json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
        self.dest.write(head[: -len("\n}")] + ',\n  "reports": [')

    def write_foot(self, summary: AuditSummary) -> None:
        self.dest.write("\n  ]\n}\n" if self.count else "]\n}\n")


WRITER = JsonWriter
