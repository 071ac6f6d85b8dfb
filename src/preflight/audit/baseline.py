"""Compare an audit with an earlier one (``--baseline PREVIOUS.json``): fixed, new, still open.

How the two audits are matched (the README says the same):

- **An office** by its code (``source_office.code``). An entry without a code (a file or line
  that could not be read) by its source and line. When one code occurs more than once, every
  occurrence is compared with all of last time's findings of that code.
- **A finding** by its rule and its subject as data (``about``: kind, key and administration):
  the same rule about the same administration, user of that administration, office or migration
  is the same finding, whatever its message says now — "12 documents await authorisation" last
  week and "3 documents" now is one finding, still open. Identical keys in one office count as
  often as they occur. Messages, languages and the order of findings play no part.
- **fixed**: in the baseline's report of the office, not in this run's (only counted when this run
  has a report of the office: an office that is now invalid or failed has fixed nothing);
  **new**: in this run's report, not in the baseline's (all its findings, when the office was not
  in the baseline or had no report there); **open**: in both.
- Offices in only one of the two audits are listed: new in this audit, or no longer in it.

The baseline is read once, before the audit starts, into a compact file without a name (on Linux:
``O_TMPFILE``, so nothing is left behind even when the audit is killed) — one line per office with
its findings' keys — and an index of where each office's line is (a few dozen bytes per office).
Each worker gets the index and reads the lines of the offices it checks through
``/proc/<pid>/fd/<n>``, so the comparison runs in parallel and every output format can show it.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from ..vocabulary import SEVERITY_RANK

#: The audit version this code compares with (summary.AUDIT_VERSION; a test keeps them equal).
COMPARED_VERSION = 2
#: A baseline not laid out one office per line (re-indented by another tool) is read whole, up to this size.
MAX_WHOLE_BYTES = 64 * 1024 * 1024
REPORTS_LINE = '  "reports": ['

#: A finding's identity across runs: rule, subject kind, subject key, administration.
FindingKey = tuple[str, str, str | None, str | None]


class BaselineError(Exception):
    """The baseline cannot be used: a usage error (exit status 2), said before the audit starts."""


@dataclass(frozen=True)
class BaselineInfo:
    """What the baseline says about itself."""

    path: str
    run_at: str | None
    inputs: tuple[str, ...]
    offices: int
    readiness_only: bool
    lang: str


@dataclass(frozen=True)
class PreviousOffice:
    """One office as the baseline saw it."""

    verdict: str
    findings: tuple[dict[str, Any], ...] | None  # None: no report (invalid or failed)


@dataclass
class Changes:
    """One office compared with the baseline: what the summary adds up."""

    previous_verdict: str | None  # None: the office was not in the baseline
    by_rule: dict[str, list[int]] = field(default_factory=dict)  # rule -> [fixed, new, open]
    new_blocking: int = 0

    @property
    def in_baseline(self) -> bool:
        return self.previous_verdict is not None


def office_key(office: str | None, source: str, line: int | None) -> str:
    """The identity of an office across audits (see the module docstring)."""
    if office is not None:
        return "office\0" + office
    return f"source\0{source}\0{'' if line is None else line}"


def finding_key(finding: dict[str, Any]) -> FindingKey:
    """A finding's identity across runs (a report's finding, as JSON)."""
    about = finding["about"]
    return (finding["rule"], about["kind"], about.get("key"), about.get("administration"))


# -- reading the baseline (main process) ---------------------------------------------------------


@dataclass(frozen=True)
class BaselineStore:
    """Where a process finds the baseline: a file it can open, and per office key where the
    office's lines are in it ((offset, length) per occurrence of the key)."""

    path: str
    index: dict[str, tuple[tuple[int, int], ...]]


class Baseline:
    """The baseline, stored for the run; :meth:`close` drops the file."""

    def __init__(self, info: BaselineInfo, handle: IO[bytes], store: BaselineStore, named: bool) -> None:
        self.info = info
        self.store = store
        self._handle = handle
        self._named = named

    def remaining(self, seen: set[str]) -> Iterator[dict[str, Any]]:
        """The baseline's offices whose key is not in ``seen`` (offices no longer audited), in
        the baseline's order, each as ``{"office", "name", "verdict", "source", "line"}``."""
        self._handle.seek(0)
        for line in self._handle:
            key, office, name, verdict, source, number, _ = json.loads(line)
            if key not in seen:
                yield {"office": office, "name": name, "verdict": verdict, "source": source, "line": number}

    def close(self) -> None:
        self._handle.close()
        if self._named:
            with contextlib.suppress(OSError):
                os.unlink(self.store.path)


def open_baseline(path: str, spool_dir: str | None = None) -> Baseline:
    """Read an earlier audit's ``--format json`` output (gzip-compressed or not) and store it for
    the run (in ``spool_dir``: the output's folder).

    Raises :class:`BaselineError` with a sentence naming the file when it is not such an output,
    or one of another audit version."""
    if os.path.isdir(path):
        raise BaselineError(f"--baseline {path}: is a folder; name an earlier audit's JSON file")
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as err:
        raise BaselineError(f"--baseline {path}: cannot read it: {err.strerror or err}") from None
    store, named = _store_file(spool_dir)
    try:
        index: dict[str, list[tuple[int, int]]] = {}
        with raw, _text(raw) as text:
            try:
                head, offices = _read(text, path)
                info = _info(head, path)
                count = 0
                for count, entry in enumerate(offices, start=1):
                    row = _row(count, entry, path)
                    line = json.dumps(row, ensure_ascii=False).encode("utf-8", "backslashreplace") + b"\n"
                    index.setdefault(row[0], []).append((store.tell(), len(line)))
                    store.write(line)
            except (UnicodeDecodeError, EOFError, OSError) as err:
                raise BaselineError(f"--baseline {path}: cannot read it: {err}") from None
        if count != info.offices:
            raise BaselineError(
                f"--baseline {path}: lists {count} offices where its totals say {info.offices}; is it complete?"
            )
        store.flush()
        where = f"/proc/{os.getpid()}/fd/{store.fileno()}" if not named else store.name
        return Baseline(info, store, BaselineStore(where, {k: tuple(v) for k, v in index.items()}), named)
    except BaseException:
        store.close()
        if named:
            with contextlib.suppress(OSError):
                os.unlink(store.name)
        raise


def _store_file(folder: str | None) -> tuple[Any, bool]:
    """A file for the stored baseline: without a name where another process can still open it
    (Linux: /proc/<pid>/fd), else a hidden named one (removed at the end); and whether it is named."""
    if sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd"):
        return tempfile.TemporaryFile("w+b", dir=folder), False  # O_TMPFILE where the file system has it
    return tempfile.NamedTemporaryFile("w+b", prefix=".preflight-baseline-", dir=folder, delete=False), True


def _text(raw: IO[bytes]) -> IO[str]:
    buffered = io.BufferedReader(cast(Any, raw))
    stream: IO[bytes] = buffered
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="\n")


def _read(handle: IO[str], path: str) -> tuple[dict[str, Any], Iterable[dict[str, Any]]]:
    """The head (totals) and the offices, streamed when the file is laid out as the audit writes
    it (one office per line), else read whole (up to :data:`MAX_WHOLE_BYTES`)."""
    first = handle.readline()
    if first.rstrip("\n") != "{":
        return _whole(first + handle.read(MAX_WHOLE_BYTES + 1), path)
    head_lines = [first]
    size = len(first)
    while True:
        line = handle.readline()
        size += len(line)
        if not line or size > MAX_WHOLE_BYTES:
            return _whole("".join(head_lines) + line, path)
        stripped = line.rstrip("\n")
        if stripped in (REPORTS_LINE, REPORTS_LINE + "]"):
            empty = stripped.endswith("]")
            following = "" if empty else handle.readline()
            if not empty and not following.startswith("{"):
                # not one office a line (re-indented by another tool): read it whole
                return _whole("".join(head_lines) + line + following + handle.read(MAX_WHOLE_BYTES + 1), path)
            head = _parse("".join(head_lines) + '  "reports": []\n}', path, 1)
            _check_head(head, path)
            return head, _lines(handle, path, len(head_lines) + 1, following)
        head_lines.append(line)


def _lines(handle: IO[str], path: str, number: int, first: str) -> Iterator[dict[str, Any]]:
    """The offices after the head, one a line (``first``: the first line after the head; empty
    when the list is empty)."""
    if not first:
        return
    for line in _chain(first, handle):
        number += 1
        text = line.strip()
        if text == "]":
            return
        entry = _parse(text.removesuffix(","), path, number)
        yield _checked_office(entry, path, number)
    raise BaselineError(f"--baseline {path}: ends before its list of offices does; is it complete?")


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _whole(text: str, path: str) -> tuple[dict[str, Any], Iterable[dict[str, Any]]]:
    if len(text) > MAX_WHOLE_BYTES:
        raise BaselineError(
            f"--baseline {path}: is not laid out as `preflight audit --format json` writes it (one office "
            "a line) and too large to read whole; give the file the audit wrote"
        )
    document = _parse(text, path, None)
    _check_head(document, path)
    reports = document.get("reports")
    if not isinstance(reports, list):
        raise BaselineError(f"--baseline {path}: has no list of offices (reports)")
    return document, (_checked_office(entry, path, None) for entry in reports)


def _parse(text: str, path: str, line: int | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}" if line is None else f"line {line}"
        raise BaselineError(f"--baseline {path}: is not JSON ({where}: {err.msg})") from None


def _check_head(head: Any, path: str) -> None:
    if not isinstance(head, dict) or "audit_version" not in head or "offices" not in head:
        raise BaselineError(
            f"--baseline {path}: is not the JSON output of `preflight audit --format json` "
            "(it has no audit_version and offices)"
        )
    version = head["audit_version"]
    if version != COMPARED_VERSION:
        raise BaselineError(
            f"--baseline {path}: is an audit of version {version}; this preflight compares with audits of "
            f"version {COMPARED_VERSION} only (audit again with this version to make a baseline)"
        )


def _checked_office(entry: Any, path: str, line: int | None) -> dict[str, Any]:
    report = entry.get("report") if isinstance(entry, dict) else None
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("verdict"), str)
        or not isinstance(entry.get("source"), str)
        or not (report is None or (isinstance(report, dict) and isinstance(report.get("findings"), list)))
    ):
        where = f" line {line}:" if line is not None else ""
        raise BaselineError(f"--baseline {path}:{where} not an office of an audit (verdict, source and report)")
    return entry


def _info(head: dict[str, Any], path: str) -> BaselineInfo:
    offices = head["offices"]
    if not isinstance(offices, int):
        raise BaselineError(f"--baseline {path}: offices is not a number")
    inputs = head.get("inputs")
    return BaselineInfo(
        path=path,
        run_at=head.get("run_at") if isinstance(head.get("run_at"), str) else None,
        inputs=tuple(str(i) for i in inputs) if isinstance(inputs, list) else (),
        offices=offices,
        readiness_only=bool(head.get("readiness_only", False)),
        lang=str(head.get("lang", "")),
    )


def _row(seq: int, entry: dict[str, Any], path: str) -> list[Any]:
    """One office as stored: key, office, name, verdict, source, line, findings (null: no report)."""
    office = entry.get("office") if isinstance(entry.get("office"), str) else None
    line = entry.get("line") if isinstance(entry.get("line"), int) else None
    report = entry.get("report")
    findings = None
    if report is not None and entry["verdict"] not in ("invalid", "failed"):
        names = _administration_names(report)
        try:
            findings = [[f["rule"], f["severity"], f["subject"], *finding_key(f)[1:],
                         names.get(f["about"].get("administration"))] for f in report["findings"]]
        except (KeyError, TypeError, AttributeError):
            message = f"--baseline {path}: office {seq} has findings without rule, severity and about"
            raise BaselineError(message) from None
    name = entry.get("name") if isinstance(entry.get("name"), str) else None
    return [office_key(office, entry["source"], line), office, name, entry["verdict"], entry["source"], line, findings]


def _administration_names(report: dict[str, Any]) -> dict[str | None, str | None]:
    context = report.get("context")
    if not isinstance(context, dict):
        return {}
    return {a.get("code"): a.get("name") for a in context.get("administrations") or () if isinstance(a, dict)}


# -- comparing (in a worker, or the main process) -------------------------------------------------


class BaselineIndex:
    """The stored baseline as one process reads it (a worker, or the main process)."""

    def __init__(self, store: BaselineStore) -> None:
        self._index = store.index
        self._file = open(store.path, "rb")  # noqa: SIM115 - closed in close()

    def previous(self, key: str) -> PreviousOffice | None:
        """The office as the baseline saw it (every occurrence of its code together), or None."""
        places = self._index.get(key)
        if not places:
            return None
        verdict = None
        findings: list[dict[str, Any]] | None = None
        for offset, length in places:
            self._file.seek(offset)
            _, _, _, seen, _, _, rows = json.loads(self._file.read(length))
            verdict = verdict or seen
            if rows is not None:
                findings = (findings or []) + [
                    {"rule": r, "severity": s, "subject": subject,
                     "about": {"kind": kind, "key": k, "administration": a}, "name": name}
                    for r, s, subject, kind, k, a, name in rows
                ]
        return PreviousOffice(str(verdict), tuple(findings) if findings is not None else None)

    def close(self) -> None:
        self._file.close()


def compare(previous: PreviousOffice | None, report: dict[str, Any] | None) -> tuple[dict[str, Any], Changes]:
    """This office against the baseline: the detail's ``changes`` (JSON) and the counts.

    ``changes``: ``previous_verdict`` (null: not in the baseline), ``fixed`` (last time's findings
    that are gone: rule, severity, subject, about and the administration's name), ``new`` (indexes
    into this report's findings) and ``open`` (how many are in both)."""
    changes = Changes(previous.verdict if previous else None)
    current = report["findings"] if report is not None and report.get("verdict") != "invalid" else None
    waiting: dict[FindingKey, list[dict[str, Any]]] = {}
    for finding in (previous.findings or ()) if previous else ():
        waiting.setdefault(finding_key(finding), []).append(finding)
    new: list[int] = []
    still = 0
    for index, finding in enumerate(current or ()):
        counts = changes.by_rule.setdefault(finding["rule"], [0, 0, 0])
        earlier = waiting.get(finding_key(finding))
        if earlier:
            earlier.pop()
            counts[2] += 1
            still += 1
        else:
            new.append(index)
            counts[1] += 1
            if finding["severity"] == "blocking":
                changes.new_blocking += 1
    fixed: list[dict[str, Any]] = []
    if current is not None:
        for items in waiting.values():
            for finding in items:
                fixed.append(finding)
                changes.by_rule.setdefault(finding["rule"], [0, 0, 0])[0] += 1
        fixed.sort(key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["subject"], f["rule"]))
    detail = {"previous_verdict": changes.previous_verdict, "fixed": fixed, "new": new, "open": still}
    return detail, changes

