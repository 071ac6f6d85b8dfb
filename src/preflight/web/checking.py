"""One check for the web: bytes in, (HTTP status, report) out — shared by the API and the page.

Status follows the contract (report.md, HTTP): 200 ready/blocked, 422 invalid snapshot,
400 unparseable body (the report's errors carry line and column), 413 too large.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g

from ..pipeline import check_data
from ..report import Report, invalid_report
from ..snapshot_loader import UnreadableSnapshot, load_snapshot

_STATUS_BY_KIND = {"too_large": 413, "encoding": 400, "syntax": 400}


@dataclass(frozen=True)
class CheckOutcome:
    """The report, its HTTP status, and display names of administrations (for the page only)."""

    status: int
    report: Report
    names: dict[str, str] = field(default_factory=dict)


def run_check(raw: bytes | str, *, lang: str, engine: str, max_bytes: int, names: bool = False) -> CheckOutcome:
    """Parse and check one snapshot; records verdict and rule ids (never contents) for the log.

    ``names``: also collect the administrations' names (the page shows them beside the codes).
    """
    try:
        loaded = load_snapshot(raw, max_bytes=max_bytes, lang=lang)
    except UnreadableSnapshot as err:
        outcome = CheckOutcome(_STATUS_BY_KIND.get(err.kind, 400), invalid_report(err.problems, None, lang))
    else:
        report = check_data(loaded.data, lang=lang, engine=engine)
        status = 422 if report.verdict == "invalid" else 200
        outcome = CheckOutcome(status, report, _administration_names(loaded.data) if names else {})
    g.verdict = outcome.report.verdict
    g.rules = sorted({f.rule for f in outcome.report.findings})
    g.errors = len(outcome.report.errors)
    g.lang, g.engine = lang, engine
    return outcome


def _administration_names(data: Any) -> dict[str, str]:
    """``administration:<code>`` → name, to label subjects on the page."""
    out: dict[str, str] = {}
    administrations = data.get("administrations") if isinstance(data, dict) else None
    for item in administrations if isinstance(administrations, list) else ():
        if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("name"), str):
            out.setdefault(f"administration:{item['code']}", item["name"])
    return out
