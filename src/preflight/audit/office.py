"""Step 2: audit one snapshot — in a worker process — and reduce it to what the run needs.

The snapshot's bytes go through :func:`preflight.pipeline.check`, exactly as ``preflight check``
sends them (report.md, "Audit (v2)"): a snapshot with a ``migration`` gets the full check of that
migration, one without gets audit mode, and a contract violation anywhere (its ``migration``
included) makes it ``invalid``. Only ``readiness_only`` (``--readiness-only``) ignores the
requests and checks every administration of the source with the audit rules. What leaves the
worker is an :class:`OfficeOutcome`: the counts the summary adds up and this office's fragments
of the outputs, rendered here so that the formatting runs in parallel too.

The per-office *detail* (a dict, the JSON output's ``reports`` entry) is::

    {"source": "exports/a.jsonl", "line": 12, "office": "VDB02", "name": "…",
     "verdict": "ready" | "blocked" | "completed" | "invalid" | "failed",
     "administrations": 6 | null, "blocked_administrations": 2 | null,
     "movable": {"can_start_now": true, "migrations": 1, "ready": 4, "after_fixes": 2,
                 "cannot_move": 0} | null,
     "report": {…report.md, v2…} | null, "failure": "…" (only when failed),
     "changes": {…} (only with a baseline, see :mod:`.baseline`)}

Counting rules (documented in the README):

- ``administrations``: the administrations the report is about (``context.administrations``:
  every administration of the source in audit mode, the requested ones in a migration); null
  when the snapshot could not be checked — unknown, not 0;
- a finding belongs to an administration when its subject names one (``about.administration``:
  the administration itself, or a user of it);
- ``blocked_administrations``: administrations with at least one blocking finding of their own;
- an office- or migration-level blocking finding blocks the office (verdict ``blocked``) but is not
  spread over its administrations;
- ``movable``: the report's batches counted — ``can_start_now``, the proposed migrations of at
  most five, and the administrations ready, after fixes, and that cannot move.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..neutralise import encodable
from ..pipeline import DEFAULT_ENGINE, check
from ..problems import InputProblem
from ..report import Report, invalid_report
from ..snapshot_loader import load_snapshot
from ..vocabulary import SEVERITIES
from .baseline import BaselineIndex, Changes, compare, office_key
from .sources import SourceItem

VERDICTS = ("ready", "blocked", "completed", "invalid", "failed")
#: Longest failure message kept (an exception may quote a whole snapshot).
MAX_FAILURE_CHARS = 500

#: Renders one office's detail as its piece of an output (see :mod:`.outputs`).
Fragment = Callable[[dict[str, Any], str], str]


@dataclass(frozen=True)
class Movable:
    """What of one office can move (its report's batches, counted)."""

    can_start_now: bool
    migrations: int  # proposed migrations of at most five
    ready: int
    after_fixes: int
    cannot_move: int

    def to_dict(self) -> dict[str, Any]:
        return {"can_start_now": self.can_start_now, "migrations": self.migrations, "ready": self.ready,
                "after_fixes": self.after_fixes, "cannot_move": self.cannot_move}


@dataclass(frozen=True)
class OfficeOutcome:
    """One audited snapshot, as the main process sees it."""

    seq: int  # position in the input, from 0
    source: str
    line: int | None
    office: str | None
    verdict: str  # one of VERDICTS
    administrations: int | None  # administrations checked (None when invalid or failed)
    blocked_administrations: int | None
    by_rule: dict[str, int]  # findings per rule
    by_severity: dict[str, int]  # findings per severity
    fragment: str  # this office's piece of the chosen output format
    done_bytes: int = 0
    name: str | None = None
    key: str = ""  # the office's identity across audits (baseline.office_key)
    movable: Movable | None = None
    extra_fragments: tuple[str, ...] = ()  # its pieces of the extra outputs (--json, --movable), in order
    changes: Changes | None = None  # compared with the baseline, when there is one


@dataclass(frozen=True)
class Rendering:
    """What turns a detail into an outcome, in a worker or in the main process."""

    lang: str
    fragment: Fragment
    extras: tuple[Fragment, ...] = ()  # the extra outputs' fragments (--json, --movable)
    baseline: BaselineIndex | None = None


def audit_outcome(
    seq: int, item: SourceItem, *, lang: str, engine: str = DEFAULT_ENGINE, fragment: Fragment,
    readiness_only: bool = False, extras: tuple[Fragment, ...] = (), baseline: BaselineIndex | None = None,
) -> OfficeOutcome:
    """One item checked and reduced — never raises: whatever goes wrong (in the loader, the
    engine or the rendering) becomes this office's own ``failed`` result, with the reason."""
    rendering = Rendering(lang, fragment, extras, baseline)
    try:
        detail = audit_item(item, lang=lang, engine=engine, readiness_only=readiness_only)
        return outcome_of(seq, item, detail, rendering)
    except Exception as err:  # noqa: BLE001 - one office never stops the audit
        return outcome_of(seq, item, failed_detail(item, f"the check failed: {describe_error(err)}"), rendering)


def describe_error(err: BaseException) -> str:
    """'ValueError: the message', at most :data:`MAX_FAILURE_CHARS` long, whatever ``err`` holds."""
    try:
        message = str(err)
    except Exception:  # noqa: BLE001 - an exception whose text cannot even be made
        message = ""
    text = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return text if len(text) <= MAX_FAILURE_CHARS else text[: MAX_FAILURE_CHARS - 1] + "…"


def audit_item(
    item: SourceItem, *, lang: str, engine: str = DEFAULT_ENGINE, readiness_only: bool = False
) -> dict[str, Any]:
    """The detail of one item: its report as ``preflight check`` gives it, or why it could not
    be checked at all."""
    if item.problem is not None or item.raw is None:
        problem = item.problem or InputProblem("", "nothing was read")
        return _detail(item, None, None, invalid_report([problem], None, lang))
    try:
        report = check(item.raw, lang=lang, engine=engine, readiness_only=readiness_only, size=item.size)
    except Exception as err:  # noqa: BLE001 - a fault of the loader or evaluator is this office's result
        return failed_detail(item, f"the check failed: {describe_error(err)}", office_data(item))
    if report.verdict == "invalid" or report.context is None:
        report = _in_file(report, item)
        code, name = _office_of(None if report.unreadable else _parsed(item))
    else:
        code, name = report.context.source_office.code, report.context.source_office.name
    return _detail(item, code, name, report)


def failed_detail(item: SourceItem, message: str, data: Any = None) -> dict[str, Any]:
    """The detail of a snapshot that could not be checked at all (e.g. its worker died twice)."""
    code, name = _office_of(data)
    return {
        "source": item.source, "line": item.line, "office": code, "name": name,
        "verdict": "failed", "administrations": None, "blocked_administrations": None, "movable": None,
        "report": None, "failure": message,
    }


def outcome_of(seq: int, item: SourceItem, detail: dict[str, Any], rendering: Rendering) -> OfficeOutcome:
    """Reduce a detail to the counts and the rendered fragments (which any UTF-8 output accepts);
    with a baseline, compare the office with it first (the fragments show the changes)."""
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    report = detail["report"]
    for finding in report["findings"] if report else ():
        by_rule[finding["rule"]] = by_rule.get(finding["rule"], 0) + 1
        by_severity[finding["severity"]] += 1
    key = office_key(detail["office"], item.source, item.line)
    changes = None
    if rendering.baseline is not None:
        detail["changes"], changes = compare(rendering.baseline.previous(key), report)
    movable = detail["movable"]
    lang = rendering.lang
    return OfficeOutcome(
        seq=seq, source=item.source, line=item.line, office=detail["office"],
        verdict=detail["verdict"], administrations=detail["administrations"],
        blocked_administrations=detail["blocked_administrations"], by_rule=by_rule,
        by_severity=by_severity, fragment=encodable(rendering.fragment(detail, lang)), done_bytes=item.done_bytes,
        name=detail["name"], key=key, movable=Movable(**movable) if movable else None,
        extra_fragments=tuple(encodable(extra(detail, lang)) for extra in rendering.extras),
        changes=changes,
    )


def administration_of(finding: dict[str, Any]) -> str | None:
    """The administration a finding (as in the report's JSON) belongs to, or None for an
    office-, person- or migration-level finding."""
    code = finding["about"]["administration"]
    return code if isinstance(code, str) else None


def office_data(item: SourceItem) -> Any:
    """The snapshot's data when it is JSON (to name the office of a failed item), else None.

    Only JSON, which parses fast whatever it holds: the snapshot may be the very one that made
    its worker crash or stall, and the main process must not stall on it."""
    raw = item.raw or b""
    if raw.lstrip()[:1] != b"{":
        return None
    try:
        return json.loads(raw)
    except Exception:  # noqa: BLE001 - no office name then; the failure is reported all the same
        return None


def _detail(item: SourceItem, code: str | None, name: str | None, report: Report) -> dict[str, Any]:
    checked = report.verdict != "invalid" and report.context is not None
    blocked = {
        admin for f in report.findings
        if f.severity == "blocking" and (admin := f.about.administration) is not None
    }
    movable = None
    if checked and report.batches is not None:
        batches = report.batches
        movable = {
            "can_start_now": batches.can_start_now, "migrations": len(batches.ready),
            "ready": sum(len(batch) for batch in batches.ready), "after_fixes": len(batches.after_fixes),
            "cannot_move": len(batches.cannot_move),
        }
    return {
        "source": item.source, "line": item.line, "office": code, "name": name, "verdict": report.verdict,
        "administrations": len(report.context.administrations) if checked and report.context else None,
        "blocked_administrations": len(blocked) if checked else None,
        "movable": movable,
        "report": report.to_dict(),
    }


def _parsed(item: SourceItem) -> Any:
    """The snapshot's data, to name the office of an invalid one (read again: rare, and only when
    its text could be read)."""
    try:
        return load_snapshot(item.raw or b"").data
    except Exception:  # noqa: BLE001 - unreadable after all: no office name then
        return None


def _office_of(data: Any) -> tuple[str | None, str | None]:
    office = data.get("source_office") if isinstance(data, dict) else None
    code = office.get("code") if isinstance(office, dict) else None
    name = office.get("name") if isinstance(office, dict) else None
    return _text(code), _text(name)


def _in_file(report: Report, item: SourceItem) -> Report:
    """Parse errors of a JSON Lines snapshot located by the line of the file, not of the snapshot."""
    if item.line is None or not any(p.line is not None for p in report.errors):
        return report
    shift = item.line - 1
    return replace(report, errors=tuple(replace(p, line=p.line + shift) if p.line is not None else p
                                        for p in report.errors))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
