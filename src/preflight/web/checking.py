"""One check for the web: bytes in, (HTTP status, report) out — shared by the API and the page.

Status follows the contract (report.md, HTTP): 200 ready/blocked, 422 invalid snapshot,
400 unparseable body (the report's errors carry line and column), 413 too large; and 409 when
``engine=cross-check`` cannot give one answer (the two engines disagree, or one of them could not
evaluate the snapshot): an error, never a silently chosen report. An engine this Python cannot
run is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from werkzeug.exceptions import BadRequest, Conflict

from ..cross_check import CrossCheckFailed
from ..pipeline import EngineUnavailable, check
from ..report import Report

_STATUS_BY_KIND = {"too_large": 413, "encoding": 400, "syntax": 400}


@dataclass(frozen=True)
class CheckOutcome:
    """The report and its HTTP status."""

    status: int
    report: Report


def run_check(raw: bytes | str, *, lang: str, engine: str, max_bytes: int) -> CheckOutcome:
    """Check one snapshot (through the pipeline's one entry point); records verdict and rule ids
    (never contents) for the log."""
    g.lang, g.engine = lang, engine
    try:
        report = check(raw, lang=lang, engine=engine, max_bytes=max_bytes)
    except CrossCheckFailed as err:
        raise Conflict(str(err)) from None
    except EngineUnavailable as err:
        raise BadRequest(f"{err}.") from None
    if report.unreadable:
        status = _STATUS_BY_KIND.get(report.unreadable, 400)
    else:
        status = 422 if report.verdict == "invalid" else 200
    g.verdict = report.verdict
    g.rules = sorted({f.rule for f in report.findings})
    g.errors = len(report.errors)
    return CheckOutcome(status, report)
