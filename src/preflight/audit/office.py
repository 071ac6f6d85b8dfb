"""Step 2: audit one snapshot — in a worker process — and reduce it to what the run needs.

The core pipeline does the checking (:func:`preflight.pipeline.check`, readiness only: every
administration, only the audit rules). What leaves the worker is an :class:`OfficeOutcome`: the
counts the summary adds up and this office's fragment of the output, rendered here so that the
expensive formatting runs in parallel too.

The per-office *detail* (a dict, the JSON output's ``reports`` entry) is::

    {"source": "exports/a.jsonl", "line": 12, "office": "VDB02", "name": "…",
     "verdict": "ready" | "blocked" | "invalid" | "failed",
     "administrations": 6, "blocked_administrations": 2,
     "report": {…report.md…} | null, "failure": "…" (only when failed),
     "migration_ignored": true (only when the snapshot carried a migration)}

Counting rules (documented in the README):

- a finding belongs to an administration when its subject is ``administration:<code>``, or when
  it is about a user of one (its evidence names ``administration_code``);
- ``blocked_administrations``: administrations with at least one blocking finding of their own;
- an office-level blocking finding (subject ``office:<code>``) blocks the office (verdict
  ``blocked``) but is not spread over its administrations; the summary counts such offices as
  ``blocked`` offices, and ``by_rule`` counts the finding once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..neutralise import encodable
from ..pipeline import check
from ..problems import InputProblem
from ..report import Report, invalid_report
from ..snapshot_loader import UnreadableSnapshot, load_snapshot
from ..vocabulary import SEVERITIES
from .sources import SourceItem

VERDICTS = ("ready", "blocked", "invalid", "failed")
#: Longest failure message kept (an exception may quote a whole snapshot).
MAX_FAILURE_CHARS = 500

#: Renders one office's detail as its piece of the output (see :mod:`.outputs`).
Fragment = Callable[[dict[str, Any], str], str]


@dataclass(frozen=True)
class OfficeOutcome:
    """One audited snapshot, as the main process sees it."""

    seq: int  # position in the input, from 0
    source: str
    line: int | None
    office: str | None
    verdict: str  # one of VERDICTS
    administrations: int  # administrations checked (0 when invalid or failed)
    blocked_administrations: int
    by_rule: dict[str, int]  # findings per rule
    by_severity: dict[str, int]  # findings per severity
    fragment: str  # this office's piece of the chosen output format
    done_bytes: int = 0


def audit_outcome(seq: int, item: SourceItem, *, lang: str, engine: str, fragment: Fragment) -> OfficeOutcome:
    """One item checked and reduced — never raises: whatever goes wrong (in the loader, the
    engine or the rendering) becomes this office's own ``failed`` result, with the reason."""
    try:
        return outcome_of(seq, item, audit_item(item, lang=lang, engine=engine), fragment, lang)
    except Exception as err:  # noqa: BLE001 - one office never stops the audit
        return outcome_of(seq, item, failed_detail(item, f"the check failed: {describe_error(err)}"), fragment, lang)


def describe_error(err: BaseException) -> str:
    """'ValueError: the message', at most :data:`MAX_FAILURE_CHARS` long, whatever ``err`` holds."""
    try:
        message = str(err)
    except Exception:  # noqa: BLE001 - an exception whose text cannot even be made
        message = ""
    text = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return text if len(text) <= MAX_FAILURE_CHARS else text[: MAX_FAILURE_CHARS - 1] + "…"


def audit_item(item: SourceItem, *, lang: str, engine: str) -> dict[str, Any]:
    """The detail of one item: its report in audit mode, or why it could not be checked."""
    if item.problem is not None or item.raw is None:
        problem = item.problem or InputProblem("", "nothing was read")
        return _detail(item, None, None, invalid_report([problem], None, lang), 0)
    try:
        data = load_snapshot(item.raw, lang=lang).data
    except UnreadableSnapshot as err:
        return _detail(item, None, None, invalid_report(_in_file(err.problems, item), None, lang), 0)
    except Exception as err:  # noqa: BLE001 - a fault of the loader is this office's result too
        return failed_detail(item, f"the snapshot could not be read: {describe_error(err)}")
    ignored = isinstance(data, dict) and "migration" in data
    try:  # the audit looks at every administration, not at one request
        report = check(data, lang=lang, engine=engine, readiness_only=True)
    except Exception as err:  # noqa: BLE001 - a fault of the evaluator is this office's result
        return failed_detail(item, f"the check failed: {describe_error(err)}", data)
    office = data.get("source_office") if isinstance(data, dict) else None
    code = office.get("code") if isinstance(office, dict) else None
    name = office.get("name") if isinstance(office, dict) else None
    checked = len(data["administrations"]) if report.verdict != "invalid" else 0
    detail = _detail(item, _text(code), _text(name), report, checked)
    if ignored:
        detail["migration_ignored"] = True
    return detail


def failed_detail(item: SourceItem, message: str, data: Any = None) -> dict[str, Any]:
    """The detail of a snapshot that could not be checked at all (e.g. its worker died twice)."""
    office = data.get("source_office") if isinstance(data, dict) else None
    code = office.get("code") if isinstance(office, dict) else None
    name = office.get("name") if isinstance(office, dict) else None
    return {
        "source": item.source, "line": item.line, "office": _text(code), "name": _text(name),
        "verdict": "failed", "administrations": 0, "blocked_administrations": 0,
        "report": None, "failure": message,
    }


def outcome_of(seq: int, item: SourceItem, detail: dict[str, Any], fragment: Fragment, lang: str) -> OfficeOutcome:
    """Reduce a detail to the counts and the rendered fragment (which any UTF-8 output accepts)."""
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    report = detail["report"]
    for finding in report["findings"] if report else ():
        by_rule[finding["rule"]] = by_rule.get(finding["rule"], 0) + 1
        by_severity[finding["severity"]] += 1
    return OfficeOutcome(
        seq=seq, source=item.source, line=item.line, office=detail["office"],
        verdict=detail["verdict"], administrations=detail["administrations"],
        blocked_administrations=detail["blocked_administrations"], by_rule=by_rule,
        by_severity=by_severity, fragment=encodable(fragment(detail, lang)), done_bytes=item.done_bytes,
    )


def administration_of(finding: dict[str, Any]) -> str | None:
    """The administration a finding (as in the report's JSON) belongs to, or None for an
    office-, person- or migration-level finding."""
    code = finding["about"]["administration"]
    return code if isinstance(code, str) else None


def _detail(item: SourceItem, code: str | None, name: str | None, report: Report, checked: int) -> dict[str, Any]:
    report_dict = report.to_dict()
    blocked = {
        admin for f in report_dict["findings"]
        if f["severity"] == "blocking" and (admin := administration_of(f)) is not None
    }
    return {
        "source": item.source, "line": item.line, "office": code, "name": name,
        "verdict": report.verdict, "administrations": checked, "blocked_administrations": len(blocked),
        "report": report_dict,
    }


def _in_file(problems: list[InputProblem], item: SourceItem) -> list[InputProblem]:
    """Parse errors of a JSON Lines snapshot located by the line of the file, not of the snapshot."""
    if item.line is None:
        return problems
    return [replace(p, line=item.line + p.line - 1) if p.line is not None else p for p in problems]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
