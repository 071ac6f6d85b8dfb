"""`preflight audit`: counts, failures that lose nothing, determinism, and every output format parsed back.

The command runs in this process (``preflight.cli.main``; the audit's workers are processes all
the same); the tests that send signals to the audit run it as a process of its own.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from preflight.demo_data import generate
from preflight.pipeline import DEFAULT_ENGINE, check

from .in_process import CliResult, run_cli
from .test_audit_sources import refuse_to_list

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"


def audit(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> CliResult:
    """`preflight audit ARGS`, in-process (standard error is not a terminal: no progress line)."""
    return run_cli("audit", *args, stdin=stdin, env=env)


def start_audit(*args: str, stderr: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    """`preflight audit ARGS` as a process of its own, for the tests that signal it."""
    return subprocess.Popen(
        [sys.executable, "-m", "preflight.cli", "audit", *args],
        stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"},
    )


def write_demo(path: Path, offices: int, seed: int, extra: dict[int, str] | None = None) -> list[str]:
    """Demo offices as JSON Lines; ``extra`` puts raw lines at the given 0-based positions."""
    lines = list(generate(offices, seed))
    for position, text in sorted((extra or {}).items()):
        lines.insert(position, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def expected_totals(lines: list[str]) -> dict[str, Any]:
    """What the audit must count, computed here with the core pipeline directly."""
    totals: dict[str, Any] = {"offices": 0, "administrations": 0, "blocked_administrations": 0,
                              "verdicts": Counter(), "by_rule": Counter()}
    for text in lines:
        totals["offices"] += 1
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            totals["verdicts"]["invalid"] += 1
            continue
        report = check(data, engine="python")
        totals["verdicts"][report.verdict] += 1
        if report.verdict == "invalid":
            continue
        totals["administrations"] += len(data["administrations"])
        blocked = set()
        for finding in report.findings:
            totals["by_rule"][finding.rule] += 1
            if finding.severity == "blocking":
                code = finding.subject.removeprefix("administration:") if finding.subject.startswith(
                    "administration:") else finding.evidence.get("administration_code")
                if code:
                    blocked.add(code)
        totals["blocked_administrations"] += len(blocked)
    return totals


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_of(process: subprocess.Popen[bytes]) -> list[int]:
    """The audit's worker processes (not multiprocessing's resource tracker)."""
    found = []
    for pid in children(process.pid):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def busy_worker(process: subprocess.Popen[bytes], cpu: float = 0.8, timeout: float = 60) -> int:
    """A worker of ``process`` that has used ``cpu`` seconds (starting up, or checking offices)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the audit ended before a worker could be caught working"
        for pid in workers_of(process):
            if cpu_seconds(pid) >= cpu:
                return pid
        time.sleep(0.05)
    raise AssertionError("no worker got busy")


def read_until(fd: int, pattern: bytes, timeout: float = 120) -> bytes:
    """Read from ``fd`` until what was read matches ``pattern`` (a regular expression)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, seen):
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        chunk = _read_chunk(fd) if ready else b""
        if not chunk:
            raise AssertionError(f"no {pattern!r} within {timeout} s; read {seen[-300:]!r}")
        seen += chunk
    return seen


def read_to_end(fd: int) -> bytes:
    """Everything left on ``fd`` (a pty's primary side reads EIO once every writer has closed)."""
    seen = b""
    while chunk := _read_chunk(fd):
        seen += chunk
    return seen


def _read_chunk(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the terminal's other side is closed
        return b""


def still_running(pids: list[int], timeout: float = 30) -> list[int]:
    """Those of ``pids`` that have not ended after waiting up to ``timeout`` s (pidfd: no polling)."""
    deadline = time.monotonic() + timeout
    left = []
    for pid in pids:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # ended and reaped already
        try:
            ended, _, _ = select.select([handle], [], [], max(deadline - time.monotonic(), 0))
            if not ended:
                left.append(pid)
        finally:
            os.close(handle)
    return left


class TerminalReader:
    """Drains a pty's primary side in a thread while the command writes to its other side."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.seen = b""
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        self.seen = read_to_end(self.fd)

    def finish(self) -> str:
        self.thread.join(timeout=60)
        os.close(self.fd)
        return self.seen.decode()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """40 demo offices with two bad lines in the middle (line 11: not JSON; line 22: breaks the contract)."""
    path = tmp_path_factory.mktemp("demo") / "offices.jsonl"
    broken = json.loads(next(iter(generate(1, seed=99))))
    broken["administrations"][0]["pending_authorisation"] = -1
    lines = write_demo(path, 40, seed=11, extra={10: '{"snapshot_version": 1, "taken_at": ', 21: json.dumps(broken)})
    return path, lines


@pytest.fixture(scope="module")
def outputs(demo: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo set audited once in every format (2 workers)."""
    folder = tmp_path_factory.mktemp("out")
    results: dict[str, Any] = {}
    for fmt in ("json", "csv", "html", "text"):
        out = folder / f"audit.{fmt}"
        done = audit(str(demo[0]), "--format", fmt, "--out", str(out), "--workers", "2")
        results[fmt] = (done, out.read_text(encoding="utf-8-sig") if out.exists() else None)
    return results


def test_counts_of_a_known_demo_set(demo: tuple[Path, list[str]], outputs: dict[str, Any]) -> None:
    """The JSON totals equal what the core pipeline says office by office."""
    done, text = outputs["json"]
    assert done.status == 2, done.stderr  # two invalid snapshots
    result = json.loads(text)
    expected = expected_totals(demo[1])
    assert result["offices"] == expected["offices"] == 42
    assert result["administrations"] == expected["administrations"]
    assert result["blocked_administrations"] == expected["blocked_administrations"] > 0
    assert result["invalid"] == 2 and result["failed"] == 0
    assert {k: v for k, v in result["verdicts"].items() if v} == dict(expected["verdicts"])
    assert {k: v for k, v in result["by_rule"].items() if v} == dict(expected["by_rule"])
    assert sum(result["verdicts"].values()) == result["offices"] == len(result["reports"])


def test_invalid_lines_in_the_middle_are_counted_and_listed_with_file_and_line(
    demo: tuple[Path, list[str]], outputs: dict[str, Any]
) -> None:
    """Bad lines cost themselves only: listed with source, line and errors; the rest is audited."""
    reports = json.loads(outputs["json"][1])["reports"]
    invalid = [r for r in reports if r["verdict"] == "invalid"]
    assert [(r["source"], r["line"]) for r in invalid] == [(str(demo[0]), 11), (str(demo[0]), 22)]
    assert "ongeldige JSON" in invalid[0]["report"]["errors"][0]["message"]
    assert invalid[0]["report"]["errors"][0]["line"] == 11  # the line of the file
    assert invalid[1]["report"]["errors"][0]["path"] == "/administrations/0/pending_authorisation"
    assert [r["line"] for r in reports] == list(range(1, 43))
    text = outputs["text"][1]
    assert f"{demo[0]}:11" in text and f"{demo[0]}:22" in text
    assert "/administrations/0/pending_authorisation: -1 is kleiner dan het minimum 0" in text


def test_text_summary_shows_the_figures_operations_act_on(demo: tuple[Path, list[str]], outputs: dict[str, Any]) -> None:
    """Offices, administrations, blocked, invalid and the rules that fired, most findings first."""
    summary = json.loads(outputs["json"][1])
    text = outputs["text"][1]
    assert text.startswith(f"Audit van 42 kantoren: {summary['administrations']} administraties gecontroleerd\n")
    assert f"Geblokkeerde administraties: {summary['blocked_administrations']} van {summary['administrations']}" in text
    assert re.search(r"\n  ongeldig +2\n", text)
    top = [line.split()[0] for line in text.split("(meeste bevindingen eerst):\n")[1].split("\n\n")[0].splitlines()[1:]]
    by_rule = {k: v for k, v in summary["by_rule"].items() if v}
    assert top == sorted(by_rule, key=lambda r: -by_rule[r])[: len(top)] and set(top) == set(by_rule)


def test_json_output_matches_its_schema(outputs: dict[str, Any]) -> None:
    """schemas/audit.schema.json (with the report schema for each office) accepts the output."""
    audit_schema = json.loads((SCHEMAS / "audit.schema.json").read_text())
    report_schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (audit_schema, report_schema)]
    )
    Draft202012Validator.check_schema(audit_schema)
    validator = Draft202012Validator(audit_schema, registry=registry)
    document = json.loads(outputs["json"][1])
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    document["reports"][0]["verdict"] = "maybe"
    assert not validator.is_valid(document)


def test_csv_has_one_row_per_finding(outputs: dict[str, Any]) -> None:
    """The csv module reads it back: the header, a row per office, per finding and per input
    error, and a row of totals that adds up the office rows."""
    summary = json.loads(outputs["json"][1])
    rows = list(csv.DictReader(io.StringIO(outputs["csv"][1])))
    assert outputs["csv"][0].status == 2
    assert list(rows[0]) == ["office", "administration", "subject", "rule", "severity", "message", "source", "line",
                             "verdict", "administrations", "can_start_now", "migrations", "ready", "after_fixes",
                             "cannot_move", "change"]
    findings = [r for r in rows if r["severity"] in ("blocking", "advisory", "info")]
    assert len(findings) == sum(summary["by_rule"].values())
    assert Counter(r["rule"] for r in findings) == Counter({k: v for k, v in summary["by_rule"].items() if v})
    blocked = {(r["office"], r["administration"]) for r in findings if r["severity"] == "blocking" and r["administration"]}
    assert len(blocked) == summary["blocked_administrations"]
    assert {r["line"] for r in rows if r["severity"] == "invalid"} == {"11", "22"}
    users = [r for r in findings if r["subject"].startswith("user:")]
    assert users and all(r["administration"] for r in users)
    offices = [r for r in rows if r["severity"] == "office"]
    assert len(offices) == summary["offices"]
    assert Counter(r["verdict"] for r in offices) == Counter({k: v for k, v in summary["verdicts"].items() if v})
    assert {r["administrations"] for r in offices if r["verdict"] == "invalid"} == {""}  # unknown, not 0
    total = rows[-1]
    assert total["severity"] == "total" and int(total["message"]) == summary["offices"]
    movable = summary["movable"]
    assert int(total["administrations"]) == summary["administrations"] == sum(
        int(r["administrations"]) for r in offices if r["administrations"])
    assert int(total["can_start_now"]) == movable["offices_can_start_now"] == sum(
        int(r["can_start_now"]) for r in offices if r["can_start_now"])
    for column in ("ready", "after_fixes", "cannot_move"):
        assert int(total[column]) == movable[column] == sum(int(r[column]) for r in offices if r[column])


class PageParser(HTMLParser):
    """Collects what the HTML test needs and checks that every element is closed in order."""

    VOID = {"meta", "input", "br", "img", "rect", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.offices: list[dict[str, str | None]] = []
        self.bars: list[str] = []
        self.tags: Counter[str] = Counter()
        self.external: list[str] = []
        self.rule_options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags[tag] += 1
        for name in ("src", "href"):
            value = found.get(name) or ""
            # an asset from elsewhere (src, or href of anything but a link to follow) would not load offline
            if name in found and not value.startswith("#") and not (tag == "a" and value.startswith("https://")):
                self.external.append(f"{tag} {name}={value}")
        if tag == "link":
            self.external.append("link")
        if tag == "tbody" and found.get("class") == "office":
            self.offices.append(found)
        if tag == "a" and "data-filter-rule" in found:
            self.bars.append(found["data-filter-rule"] or "")
        if tag == "option" and self.stack and self.stack[-1] == "select" and found.get("value"):
            self.rule_options.append(found["value"] or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_html_is_one_self_contained_page_with_chart_filters_and_drill_down(outputs: dict[str, Any]) -> None:
    """An HTML parser reads it back: balanced elements, no external assets, one row group per office."""
    summary = json.loads(outputs["json"][1])
    page = outputs["html"][1]
    parser = PageParser()
    parser.feed(page)
    parser.close()
    assert parser.problems == [] and parser.stack == []
    assert parser.external == []
    assert parser.tags["script"] == 1 and parser.tags["style"] == 1 and parser.tags["link"] == 0
    fired = {k: v for k, v in summary["by_rule"].items() if v}
    assert sorted(parser.bars) == sorted(fired)
    assert len(parser.offices) == summary["offices"]
    assert Counter(o["data-verdict"] for o in parser.offices) == Counter(
        {k: v for k, v in summary["verdicts"].items() if v}
    )
    assert parser.tags["details"] == summary["offices"]  # a drill-down per office
    for rule in fired:
        assert rule in parser.rule_options
        assert sum(rule in (o["data-rules"] or "").split() for o in parser.offices) == summary["offices_by_rule"][rule]
    assert f"{summary['blocked_administrations']:,}".replace(",", ".") in page
    assert [o["data-admins"] for o in parser.offices if o["data-verdict"] == "invalid"] == ["", ""]


def test_output_is_the_same_whatever_the_worker_count(tmp_path: Path, demo: tuple[Path, list[str]]) -> None:
    """Input order is kept: 1, 2 or 3 workers write the same bytes."""
    more = tmp_path / "more.jsonl"
    write_demo(more, 150, seed=4)
    outputs = []
    for workers in ("1", "2", "3"):
        out = tmp_path / f"w{workers}.json"
        done = audit(str(demo[0]), str(more), "--format", "json", "--workers", workers, "--out", str(out),
                     env={"SOURCE_DATE_EPOCH": "1795000000"})
        assert done.status == 2, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0])["run_at"] == "2026-11-18T11:06:40Z"


def test_a_worker_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL to a busy worker: its office is retried in a fresh worker and the output is unchanged.

    CSV rows stream to standard output as offices are done, so once some have arrived the
    workers are checking offices; the one that has worked most is killed. The audit cannot end
    meanwhile: 600 offices make about 2 MB of CSV, and while this test does not read, the audit
    waits on the full pipe with at most its window of offices (96) in flight. (That the office it
    was on is retried, and reported as failed when it kills a worker twice, is shown
    deterministically by the next test.)
    """
    source = tmp_path / "big.jsonl"
    write_demo(source, 600, seed=21)
    baseline = audit(str(source), "--format", "csv", "--workers", "2")
    assert baseline.status == 1, baseline.stderr
    with start_audit(str(source), "--format", "csv", "--workers", "2") as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.read(256 * 1024)
        assert process.poll() is None and len(first) == 256 * 1024
        victim = max(workers_of(process), key=cpu_seconds)
        os.kill(victim, signal.SIGKILL)
        rest = process.stdout.read()  # not communicate(): it would skip what this reader has buffered
        notices = process.stderr.read().decode()
    assert process.returncode == 1, notices
    assert "was killed (SIGKILL)" in notices
    assert "retrying it in a fresh worker" in notices or "while idle" in notices
    assert (first + rest).decode("utf-8") == baseline.stdout


def test_a_snapshot_that_kills_its_worker_twice_is_reported_as_failed(tmp_path: Path) -> None:
    """The test hook PREFLIGHT_AUDIT_CRASH_ON makes one office kill every worker that checks it."""
    source = tmp_path / "offices.jsonl"
    lines = write_demo(source, 30, seed=8)
    victim = json.loads(lines[6])["source_office"]["code"]
    out = tmp_path / "audit.json"
    done = audit(str(source), "--format", "json", "--workers", "2", "--out", str(out),
                 env={"PREFLIGHT_AUDIT_CRASH_ON": victim})
    assert done.status == 2
    notices = done.stderr
    assert notices.count("was killed (SIGKILL)") == 2
    assert f"{source}:7 was killed (SIGKILL) again; reported as failed" in notices
    result = json.loads(out.read_text())
    assert result["failed"] == 1 and result["offices"] == 30
    failed = result["reports"][6]
    assert (failed["verdict"], failed["source"], failed["line"]) == ("failed", str(source), 7)
    assert "twice" in failed["failure"] and failed["report"] is None
    others = expected_totals(lines[:6] + lines[7:])
    assert result["administrations"] == others["administrations"]
    text = audit(str(source), "--workers", "1", env={"PREFLIGHT_AUDIT_CRASH_ON": victim}).stdout
    assert "Mislukte snapshots (1):" in text and f"{source}:7 ({victim})" in text


def busy_html_audit(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int], int]:
    """An audit of 3,000 demo offices (tmp_path/big.jsonl) into tmp_path/report.html, caught
    while its workers are checking offices; the process, its workers, and the terminal that is
    its standard error (to read the rest from; close it).

    The audit draws its progress line on that terminal: once the line counts an office done, the
    workers are checking offices and the output is being written — a condition, not a guess."""
    source = tmp_path / "big.jsonl"
    write_demo(source, 3000, seed=5)
    primary, secondary = pty.openpty()
    with os.fdopen(secondary, "wb") as terminal:
        process = start_audit(str(source), "--format", "html", "--out", str(tmp_path / "report.html"), "--workers", "2",
                              stderr=terminal.fileno())
    try:
        read_until(primary, rb"\b[1-9][0-9]* kantoren")
    except BaseException:
        process.kill()
        process.communicate()
        os.close(primary)
        raise
    return process, workers_of(process), primary


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_leaves_no_file(tmp_path: Path, how: signal.Signals) -> None:
    """Ctrl-C or SIGTERM mid-run: exit 130, no output file, no temporary file, no worker left."""
    process, workers, terminal = busy_html_audit(tmp_path)
    try:
        with process:
            process.send_signal(how)
            process.wait(timeout=60)
        notices = read_to_end(terminal).decode()
    finally:
        os.close(terminal)
    assert process.returncode == 130, notices
    assert "interrupted" in notices
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]
    assert workers and still_running(workers) == []


def test_standard_input_and_gzip_give_the_same_audit(tmp_path: Path) -> None:
    """`-` reads JSON Lines from standard input; *.jsonl.gz files are decompressed."""
    lines = list(generate(25, seed=3))
    data = ("\n".join(lines) + "\n").encode()
    packed = tmp_path / "offices.jsonl.gz"
    packed.write_bytes(gzip.compress(data))
    from_stdin = json.loads(audit("-", "--format", "json", stdin=data).stdout)
    from_gzip = json.loads(audit(str(packed), "--format", "json").stdout)
    assert (from_stdin["inputs"], from_gzip["inputs"]) == (["-"], [str(packed)])
    for result in (from_stdin, from_gzip):
        del result["reports"], result["inputs"], result["run_at"]
    assert from_stdin == from_gzip and from_stdin["offices"] == 25


def test_folders_are_searched_recursively() -> None:
    """A folder of *.json/*.yaml files: each file one office, checked as `check` checks it (a
    snapshot with a migration: the full check of that migration)."""
    result = json.loads(audit(str(ROOT / "examples"), "--format", "json", "--lang", "en").stdout)
    names = [Path(r["source"]).name for r in result["reports"]]
    assert names == sorted(names) and "audit-office.json" in names and "not-json.txt" not in names
    phases = {Path(r["source"]).name: r["report"].get("phase") for r in result["reports"]}
    assert phases["blocked.yaml"] == "before_start" and phases["audit-office.json"] == "audit"
    assert {f["rule"] for r in result["reports"] if r["report"] for f in r["report"]["findings"]} <= set(result["by_rule"])
    assert "requester-not-superuser" in {f["rule"] for r in result["reports"] if r["report"] for f in r["report"]["findings"]}


@pytest.mark.parametrize(
    ("fail_on", "lines", "status"),
    [
        ("blocked", "ready", 0), ("blocked", "advisory", 0), ("blocked", "blocked", 1),
        ("advisory", "ready", 0), ("advisory", "advisory", 1), ("advisory", "blocked", 1),
        ("blocked", "invalid", 2), ("never", "blocked", 0), ("never", "invalid", 0),
    ],
)
def test_fail_on_sets_the_exit_status(tmp_path: Path, fail_on: str, lines: str, status: int) -> None:
    """--fail-on blocked|advisory|never: 1 at the threshold, 2 for snapshots that could not be checked."""
    base = json.loads((ROOT / "examples" / "audit-office.json").read_text())
    admin = {**base["administrations"][0], "pending_authorisation": 0}
    office: dict[str, Any] = {**base, "source_office": {"code": "X1"}, "administrations": [admin]}
    if lines == "advisory":
        admin["payment_agreement"] = True
    if lines == "blocked":
        admin["pending_authorisation"] = 2
    text = "{not json" if lines == "invalid" else json.dumps(office)
    source = tmp_path / "one.jsonl"
    source.write_text(text + "\n")
    done = audit(str(source), "--fail-on", fail_on, "--workers", "1")
    assert done.status == status, done.stdout + done.stderr


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A PATH that does not exist stops the audit before it starts, with exit status 2."""
    done = audit(str(tmp_path / "nope.jsonl"))
    assert done.status == 2
    assert done.stderr == f"preflight audit: {tmp_path / 'nope.jsonl'}: no such file or folder\n"
    assert done.stdout == ""


def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    """Standard error as a pipe: silent. As a terminal: the progress line; --quiet: silent again."""
    source = tmp_path / "offices.jsonl"
    write_demo(source, 60, seed=2)
    piped = audit(str(source), "--format", "json", "--out", str(tmp_path / "a.json"))
    assert piped.stderr == ""
    for quiet, shown in (([], True), (["--quiet"], False)):
        primary, secondary = pty.openpty()
        reader = TerminalReader(primary)
        with open(secondary, "w", encoding="utf-8") as terminal:
            done = run_cli("audit", str(source), "--out", str(tmp_path / "b.txt"), *quiet, stderr=terminal)
        text = reader.finish()
        assert done.status == 1
        assert ("60 kantoren in" in text) is shown
        assert ("\r" in text) is shown


def test_an_output_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    """--out into a folder that does not exist: exit status 2 and the reason, no traceback."""
    source = tmp_path / "one.jsonl"
    write_demo(source, 2, seed=1)
    done = audit(str(source), "--out", str(tmp_path / "missing" / "audit.txt"))
    assert done.status == 2
    assert done.stderr.startswith(f"preflight audit: cannot write {tmp_path / 'missing' / 'audit.txt'}: ")


def test_workers_that_cannot_start_stop_the_audit(tmp_path: Path) -> None:
    """An engine that does not build in the workers ends the audit with exit status 2 and the reason."""
    from preflight.audit.cli import run_audit

    source = tmp_path / "one.jsonl"
    write_demo(source, 2, seed=1)
    errors = io.StringIO()
    status = run_audit([str(source)], out=str(tmp_path / "audit.txt"), engine="nope", workers=1, stderr=errors)
    assert status == 2
    assert "a worker could not start: ValueError: unknown engine 'nope'" in errors.getvalue()
    assert not (tmp_path / "audit.txt").exists()


def test_an_empty_folder_gives_an_empty_audit(tmp_path: Path) -> None:
    """No snapshots: every output is still well formed, and standard error says so."""
    done = audit(str(tmp_path), "--format", "json")
    assert done.status == 0
    result = json.loads(done.stdout)
    assert (result["offices"], result["reports"]) == (0, [])
    assert done.stderr == "preflight audit: no snapshots found\n"


def test_the_format_choices_are_the_output_formats():
    """`audit --format` offers exactly the output formats there are (named without importing them)."""
    from preflight.audit.cli import FORMAT_NAMES
    from preflight.audit.outputs import FORMATS

    assert tuple(FORMATS) == FORMAT_NAMES


# -- hardening (issue 12): nothing lost, hidden or aborted; nothing overwritten; nothing injected --


def run_in_process(paths: list[Path], **options: Any) -> tuple[int, str]:
    """`run_audit` called directly (its workers are still processes): the status and standard error."""
    from preflight.audit.cli import run_audit

    errors = io.StringIO()
    status = run_audit([str(p) for p in paths], quiet=True, stderr=errors, **options)
    return status, errors.getvalue()


def test_links_that_loop_or_break_and_unreadable_folders_are_counted_and_the_audit_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each entry that cannot be read is an invalid, office-less snapshot listed with its path and
    reason; offices counted = entries read (a looping link used to abort the whole audit)."""
    exports = tmp_path / "exports"
    exports.mkdir()
    lines = write_demo(exports / "offices.jsonl", 3, seed=6)
    (exports / "loop.json").symlink_to("loop.json")
    (exports / "gone.json").symlink_to("missing.json")
    (exports / "locked").mkdir()
    (exports / "locked" / "hidden-away.json").write_text(lines[0])
    refuse_to_list(monkeypatch, "locked")
    out = tmp_path / "audit.json"
    status, errors = run_in_process([exports], fmt="json", out=str(out), workers=1)
    assert status == 2, errors
    result = json.loads(out.read_text())
    assert result["offices"] == 6 == len(result["reports"])
    assert (result["invalid"], result["verdicts"]["blocked"] + result["verdicts"]["ready"]) == (3, 3)
    unread = [(Path(r["source"]).name, r["office"], r["report"]["errors"][0]["message"])
              for r in result["reports"] if r["verdict"] == "invalid"]
    assert unread == [
        ("gone.json", None, "a broken symbolic link: what it points to does not exist"),
        ("locked", None, "cannot read the folder: Permission denied"),
        ("loop.json", None, "a symbolic link that loops (it leads back to itself)"),
    ]
    status, _ = run_in_process([exports], out=str(tmp_path / "audit.txt"), workers=1, lang="en")
    text = (tmp_path / "audit.txt").read_text()
    assert "Invalid snapshots (3):" in text and f"  {exports / 'loop.json'}\n     /: a symbolic link that loops" in text


@pytest.mark.parametrize("how", ["same path", "symbolic link", "hard link", "found in a folder"])
def test_out_naming_an_input_is_refused_before_anything_is_read(tmp_path: Path, how: str) -> None:
    """--out that is (or leads to) an input file: exit status 2 and why; the input is untouched."""
    exports = tmp_path / "exports"
    exports.mkdir()
    source = exports / "offices.jsonl"
    write_demo(source, 2, seed=1)
    before = source.read_bytes()
    inputs, out = {
        "same path": ([source], source),
        "symbolic link": ([source], tmp_path / "link.jsonl"),
        "hard link": ([source], tmp_path / "hard.jsonl"),
        "found in a folder": ([exports], source),
    }[how]
    if how == "symbolic link":
        out.symlink_to(source)
    if how == "hard link":
        out.hardlink_to(source)
    status, errors = run_in_process(inputs, fmt="json", out=str(out), workers=1)
    assert status == 2
    assert errors.startswith(f"preflight audit: --out {out}: is one of the inputs")
    assert errors.count("\n") == 1
    assert source.read_bytes() == before


def test_out_naming_a_folder_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    """Not an error after the whole audit: at once."""
    source = tmp_path / "offices.jsonl"
    write_demo(source, 2, seed=1)
    status, errors = run_in_process([source], out=str(tmp_path), workers=1)
    assert (status, errors) == (2, f"preflight audit: --out {tmp_path}: is a folder; name the file to write\n")


def test_workers_and_the_time_limit_have_bounds(tmp_path: Path) -> None:
    """--workers between 1 and 4 per CPU (64 at most); --timeout above 0 and at most a day: else exit 2."""
    from preflight.audit.cli import default_workers

    source = tmp_path / "one.jsonl"
    write_demo(source, 1, seed=1)
    most = min(64, 4 * default_workers())
    out = tmp_path / "audit.txt"
    for options in ({"workers": most + 1}, {"workers": 0}, {"timeout": 0.0},
                    {"timeout": float("nan")}, {"timeout": 86401.0}):
        status, errors = run_in_process([source], out=str(out), **{"workers": 1, **options})
        assert status == 2, options
        name = "--workers" if "workers" in options else "--timeout"
        assert errors.startswith(f"preflight audit: {name} ") and errors.count("\n") == 1, errors
        assert not out.exists()
    assert f"between 1 and {most}" in run_in_process([source], workers=most + 1)[1]
    parsed = run_cli("audit", str(source), "--workers", str(most + 1))
    assert parsed.status == 2 and "Traceback" not in parsed.stderr


def test_sigkill_of_the_audit_leaves_no_file_and_no_worker(tmp_path: Path) -> None:
    """Killed outright mid-run: no output, no temporary file beside it, and its workers end too."""
    process, workers, terminal = busy_html_audit(tmp_path)
    try:
        with process:
            process.kill()
            process.wait(timeout=60)
    finally:
        os.close(terminal)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]
    assert workers and still_running(workers) == []


@pytest.mark.slow
def test_ctrl_c_at_any_moment_gives_no_traceback(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) from the first instant
    on — while Python imports, the rules load, the workers start, the offices are checked: exit
    status 130 and "interrupted", no traceback from any process, no file, no process left.

    Python's own start-up (before any preflight code runs, the first few tens of milliseconds)
    is outside the command's reach: there a SIGINT kills the process or Python reports it
    itself — never from preflight's code, which the traceback would name."""
    import preflight

    ours = str(Path(preflight.__file__).parent)
    source = tmp_path / "big.jsonl"
    write_demo(source, 3000, seed=5)
    out = tmp_path / "audit.txt"
    for moment in (0.0, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.7, 1.0, 1.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "preflight", "audit", str(source), "--out", str(out), "--workers", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True,
        )
        time.sleep(moment)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        said = stderr.decode()
        if process.returncode == 130:
            assert "interrupted" in said and "Traceback" not in said, (moment, said)
        else:  # Python was still starting up
            assert process.returncode in (-signal.SIGINT, 1) and ours not in said, (moment, process.returncode, said)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"], moment
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"processes of the audit interrupted at {moment} s are still running")


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_lone_surrogates_and_non_utf8_file_names_give_a_complete_output(tmp_path: Path, fmt: str) -> None:
    """A file name that is not UTF-8 (Python holds it with a lone surrogate) used to abort the
    whole audit (UnicodeEncodeError in the writer), as did a "\\ud800" in a snapshot before the
    loader refused it: now every office is counted and the output is complete."""
    folder = tmp_path / "exports"
    folder.mkdir()
    lines = list(generate(3, seed=9))
    odd = json.loads(lines[1])
    odd["source_office"]["name"] = "\ud800 & Partners"
    lines[1] = json.dumps(odd)
    (folder / "offices.jsonl").write_text("\n".join(lines) + "\n")
    listed = json.loads(lines[0])  # an invalid snapshot, so that even the text output names it
    listed["source_office"]["code"] = "B00099"
    del listed["taken_at"]
    odd_name = os.fsdecode(b"caf\xe9.json")
    (folder / odd_name).write_text(json.dumps(listed))
    out = tmp_path / f"audit.{fmt}"
    status, errors = run_in_process([folder], fmt=fmt, out=str(out), workers=1, lang="en")
    assert status == 2, errors
    written = out.read_text(encoding="utf-8-sig")
    if fmt == "json":
        result = json.loads(written)
        assert (result["offices"], result["invalid"], result["failed"]) == (4, 2, 0)
        assert (result["reports"][0]["source"], result["reports"][0]["office"]) == (str(folder / odd_name), "B00099")
        assert result["reports"][2]["verdict"] == "invalid"  # the loader's answer to "\\ud800"
    elif fmt == "text":
        assert written.startswith("Audit of 4 offices")
        assert f"  {folder}/caf\\udce9.json (B00099)\n" in written
    elif fmt == "csv":
        assert f"{folder}/caf\\udce9.json" in written
    else:
        assert written.rstrip().endswith("</html>") and written.count('<tbody class="office"') == 4


def test_text_output_shows_control_characters_as_escapes(tmp_path: Path) -> None:
    """An office code or file name with terminal escape sequences cannot clear the screen or paint
    a fake verdict: the listing shows them as \\x1b…, one entry per line."""
    fake = "\x1b[2J\x1b[H\x1b[32mKLAAR"
    broken = json.loads(next(iter(generate(1, seed=2))))
    broken["source_office"]["code"] = fake
    del broken["taken_at"]
    source = tmp_path / "offices\x1b[31m\r.jsonl"
    source.write_text(json.dumps(broken) + "\n")
    out = tmp_path / "audit.txt"
    status, errors = run_in_process([source], out=str(out), workers=1, lang="en")
    assert status == 2
    text = out.read_text()
    assert "\x1b" not in text and "\r" not in text and "\x1b" not in errors
    assert f"  {tmp_path}/offices\\x1b[31m\\r.jsonl:1 (\\x1b[2J\\x1b[H\\x1b[32mKLAAR)\n" in text


def test_csv_cells_that_would_start_a_formula_are_quoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OWASP's rule: an office code like =HYPERLINK(…) is written as '=HYPERLINK(…) in every row,
    a file named @… likewise; the other columns keep their values, the line stays a number."""
    hostile = '=HYPERLINK("http://x.nl","ok")'
    data = json.loads(next(iter(generate(1, seed=4))))
    data["source_office"]["code"] = hostile
    monkeypatch.chdir(tmp_path)
    source = Path("@offices.jsonl")
    source.write_text(json.dumps(data) + "\n")
    status, errors = run_in_process([source], fmt="csv", out="audit.csv", workers=1)
    assert status == 1, errors
    rows = list(csv.DictReader(io.StringIO(Path("audit.csv").read_text(encoding="utf-8-sig"))))
    total = rows.pop()  # the totals: no office, no source
    assert (total["severity"], total["office"], total["source"]) == ("total", "", "")
    assert rows and {r["office"] for r in rows} == {"'" + hostile}
    assert {r["source"] for r in rows} == {"'@offices.jsonl"}
    assert {r["line"] for r in rows} == {"1"}
    expected = check(data, engine="python")
    assert [(r["rule"], r["severity"], r["subject"]) for r in rows[1:]] == [
        (f.rule, f.severity, f.subject) for f in expected.findings
    ]
    assert rows[0]["severity"] == "office"


# -- audit v2 (issue 11): one verdict everywhere, movable now, compared with last time ---------


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The variants of test_audit_office (with and without a migration, a contract violation in
    the migration only, completed, withdrawn, not JSON) as files of one folder."""
    from .test_audit_office import variants

    folder = tmp_path_factory.mktemp("mixed")
    for name, raw in variants().items():
        (folder / (name if not name.endswith(".txt") else name.replace(".txt", ".json"))).write_bytes(raw)
    return folder


@pytest.mark.parametrize("readiness_only", [False, True], ids=["full", "readiness-only"])
def test_every_office_of_an_audit_gets_the_verdict_and_report_of_preflight_check(
    mixed_folder: Path, tmp_path: Path, readiness_only: bool
) -> None:
    """Audited as one folder, each snapshot's verdict and report equal `preflight check FILE
    --format json` byte for byte (the audit keeps the report); --readiness-only equals check's
    readiness-only report. The audit's exit status follows (2: one is invalid)."""
    from preflight.cli import run_check

    out = tmp_path / "audit.json"
    status, errors = run_in_process([mixed_folder], fmt="json", out=str(out), workers=2, lang="en",
                                    readiness_only=readiness_only)
    assert status == 2, errors
    result = json.loads(out.read_text())
    assert result["readiness_only"] is readiness_only and result["offices"] == len(list(mixed_folder.iterdir()))
    verdicts = {}
    for entry in result["reports"]:
        printed = io.StringIO()
        if readiness_only:
            expected = check(Path(entry["source"]).read_bytes(), lang="en", readiness_only=True).to_json()
        else:
            run_check(entry["source"], "json", "en", DEFAULT_ENGINE, printed)
            expected = printed.getvalue()
        assert json.dumps(entry["report"], ensure_ascii=False, indent=2) + "\n" == expected, entry["source"]
        assert entry["verdict"] == json.loads(expected)["verdict"]
        verdicts[Path(entry["source"]).name] = entry["verdict"]
    assert verdicts["code-sent-without-date.json"] == "invalid"  # the contract holds in every mode
    if not readiness_only:
        assert verdicts["completed.json"] == "completed" and result["verdicts"]["completed"] == 1
        assert verdicts["blocked.yaml"] == "blocked" and verdicts["ready.json"] == "ready"
    else:
        assert "completed" not in verdicts.values()


def test_movable_lists_the_administrations_that_can_move_now(tmp_path: Path, demo: tuple[Path, list[str]]) -> None:
    """--movable FILE: a row per administration of a proposed migration of an office that can
    start now, with its name and new code; as many as the totals say; the CSV is written too."""
    out, movable = tmp_path / "audit.json", tmp_path / "movable.csv"
    status, errors = run_in_process([demo[0], ROOT / "examples"], fmt="json", out=str(out), workers=2,
                                    movable=str(movable))
    assert status == 2, errors
    result = json.loads(out.read_text())
    text = movable.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["office", "office_name", "target_office", "migration", "administration",
                             "administration_name", "new_code", "source", "line"]
    assert len(rows) == result["movable"]["movable_now"] > 0
    expected = []
    for entry in result["reports"]:
        if entry["movable"] and entry["movable"]["can_start_now"]:
            names = {a["code"]: a for a in entry["report"]["context"]["administrations"]}
            for number, batch in enumerate(entry["report"]["batches"]["ready"], start=1):
                assert len(batch) <= 5
                expected += [(entry["office"], str(number), code, names[code]["name"] or "",
                              names[code]["new_code"] or code) for code in batch]
    assert [(r["office"], r["migration"], r["administration"], r["administration_name"], r["new_code"])
            for r in rows] == expected
    ready = [r for r in rows if r["source"].endswith("ready.json")]
    assert {(r["target_office"], r["administration"], r["new_code"]) for r in ready} == {
        ("BJK01", "1001", "1001"), ("BJK01", "1002", "1002"), ("BJK01", "1003", "2003")}
    assert result["movable"]["offices_can_start_now"] == len({(r["source"], r["line"]) for r in rows})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fail_on": "new-blocking"}, "--fail-on new-blocking: needs --baseline PREVIOUS.json"),
        ({"movable": "-", "out": "-"}, "--movable -: standard output already carries the audit"),
        ({"movable": "OUT"}, "--movable OUT: is the --out file too"),
        ({"movable": "SOURCE"}, "--movable SOURCE: is one of the inputs"),
        ({"baseline": "OUT"}, "--out OUT: is the baseline"),
        ({"baseline": "SOURCE"}, "--baseline SOURCE: is not JSON"),
        ({"json_out": "OTHER"}, "--json: the output is JSON already"),
        ({"fmt": "html", "json_out": "OUT"}, "--json OUT: is the --out file too"),
    ],
)
def test_movable_and_baseline_usage_errors(tmp_path: Path, options: dict[str, str], message: str) -> None:
    """Said before anything is read, in one line, exit status 2; nothing written."""
    source = tmp_path / "offices.jsonl"
    write_demo(source, 2, seed=1)
    out = tmp_path / "audit.json"
    out.write_text("last week's audit")
    names = {"OUT": str(out), "SOURCE": str(source), "OTHER": str(tmp_path / "other.json")}
    given = {"out": str(out), "fmt": "json", **{k: names.get(v, v) for k, v in options.items()}}
    status, errors = run_in_process([source], workers=1, **given)
    assert status == 2
    assert errors.startswith("preflight audit: " + message.replace("OUT", str(out)).replace("SOURCE", str(source)))
    assert errors.count("\n") == 1 and out.read_text() == "last week's audit"


@pytest.fixture(scope="module")
def weeks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Demo offices in week 1 and week 3 (problems fixed, new ones, offices gone and new),
    audited as JSON: week 1 alone, week 3 against week 1 in every format."""
    folder = tmp_path_factory.mktemp("weeks")
    for week in (1, 3):
        (folder / f"week{week}.jsonl").write_text("\n".join(generate(150, seed=21, week=week)) + "\n")
    first = folder / "week1.json"
    assert run_in_process([folder / "week1.jsonl"], fmt="json", out=str(first), workers=2)[0] == 1
    found: dict[str, Any] = {"folder": folder, "first": json.loads(first.read_text())}
    for fmt in ("json", "text", "csv", "html"):
        out = folder / f"week3.{fmt}"
        status, errors = run_in_process([folder / "week3.jsonl"], fmt=fmt, out=str(out), workers=2, lang="en",
                                        baseline=str(first))
        found[fmt] = (status, errors, out.read_text(encoding="utf-8-sig"))
    return found


def recount(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """What the comparison must say, worked out here from the two JSON outputs."""
    def keys(entry: dict[str, Any]) -> Counter[tuple[Any, ...]]:
        return Counter((f["rule"], f["about"]["kind"], f["about"]["key"], f["about"]["administration"])
                       for f in (entry["report"] or {}).get("findings", []))

    before = {e["office"]: e for e in first["reports"]}
    after = {e["office"]: e for e in second["reports"]}
    fixed = new = still = new_blocking = 0
    for code, entry in after.items():
        old = keys(before[code]) if code in before else Counter()
        now = keys(entry)
        fixed += sum((old - now).values())
        new += sum((now - old).values())
        still += sum((old & now).values())
        new_blocking += sum(1 for f in (entry["report"] or {}).get("findings", [])
                            if f["severity"] == "blocking" and code not in before)
    return {"fixed": fixed, "new": new, "open": still, "new_offices": sorted(set(after) - set(before)),
            "gone_offices": sorted(set(before) - set(after)), "new_blocking_in_new_offices": new_blocking}


def test_a_baseline_says_what_was_fixed_what_is_new_and_what_is_still_open(weeks: dict[str, Any]) -> None:
    """Per office and per rule, matched by rule and subject; offices in only one audit listed;
    the totals agree with a count made here from the two outputs."""
    status, errors, text = weeks["json"]
    assert status == 1, errors
    second = json.loads(text)
    comparison = second["baseline"]
    expected = recount(weeks["first"], second)
    assert comparison["findings"]["fixed"] == expected["fixed"] > 0
    assert comparison["findings"]["new"] == expected["new"] > 0
    assert comparison["findings"]["open"] == expected["open"] > 0
    assert sorted(o["office"] for o in comparison["new_offices"]) == expected["new_offices"] != []
    assert sorted(o["office"] for o in comparison["gone_offices"]) == expected["gone_offices"] != []
    assert comparison["offices_in_both"] == second["offices"] - len(expected["new_offices"])
    by_rule = comparison["by_rule"]
    for what in ("fixed", "new", "open"):
        assert sum(r[what] for r in by_rule.values()) == comparison["findings"][what]
    per_office = [e["changes"] for e in second["reports"]]
    assert sum(len(c["fixed"]) for c in per_office) == expected["fixed"]
    assert sum(len(c["new"]) for c in per_office) == expected["new"]
    blocking_new = sum(1 for e in second["reports"] for i in e["changes"]["new"]
                       if e["report"]["findings"][i]["severity"] == "blocking")
    assert comparison["findings"]["new_blocking"] == blocking_new > expected["new_blocking_in_new_offices"]
    assert comparison["source"].endswith("week1.json") and comparison["run_at"] == weeks["first"]["run_at"]


def test_text_and_html_lead_with_the_comparison(weeks: dict[str, Any]) -> None:
    """The text output starts with it (totals, offices new and gone, changes per rule, offices with
    new blocking findings); the page shows it first; the CSV marks rows new, open, fixed, gone."""
    comparison = json.loads(weeks["json"][2])["baseline"]
    text = weeks["text"][2]
    assert text.startswith("Compared with the audit of ")
    assert text.index("Changes per rule") < text.index("Audit of ")
    assert f"  Fixed: {comparison['findings']['fixed']:,} findings\n" in text
    assert "Offices with new blocking findings (" in text
    for office in comparison["gone_offices"]:
        assert office["office"] in text.split("\n\n")[0]
    page = weeks["html"][2]
    assert page.index("Since the previous audit") < page.index("The figures") < page.index('id="office-table"')
    rows = list(csv.DictReader(io.StringIO(weeks["csv"][2])))
    changes = Counter(r["change"] for r in rows)
    assert changes["fixed"] == comparison["findings"]["fixed"] and changes["new"] >= comparison["findings"]["new"]
    assert changes["gone"] == len(comparison["gone_offices"])


def test_fail_on_new_blocking_acts_on_new_blocking_findings_only(weeks: dict[str, Any], tmp_path: Path) -> None:
    """Against last time's audit with new blocking findings: 1; against itself (nothing new, though
    offices are blocked): 0."""
    folder, first = weeks["folder"], weeks["folder"] / "week1.json"
    status, _ = run_in_process([folder / "week3.jsonl"], fmt="json", out=str(tmp_path / "a.json"), workers=2,
                               baseline=str(first), fail_on="new-blocking")
    assert status == 1
    status, _ = run_in_process([folder / "week1.jsonl"], fmt="json", out=str(tmp_path / "b.json"), workers=2,
                               baseline=str(first), fail_on="new-blocking")
    assert status == 0
    again = json.loads((tmp_path / "b.json").read_text())["baseline"]
    assert again["findings"]["new"] == again["findings"]["fixed"] == 0 and again["new_offices"] == []
    assert run_in_process([folder / "week1.jsonl"], fmt="json", out=str(tmp_path / "c.json"), workers=2,
                          baseline=str(first))[0] == 1  # --fail-on blocked: offices are blocked


def test_numbers_are_written_as_the_language_writes_them(demo: tuple[Path, list[str]], tmp_path: Path) -> None:
    """Text and HTML: 1.234 and 21,1 % in Dutch, 1,234 and 21.1% in English (issue 7, item 9)."""
    big = tmp_path / "big.jsonl"
    write_demo(big, 60, seed=3)
    result = {}
    for lang in ("nl", "en"):
        for fmt in ("text", "html", "json"):
            out = tmp_path / f"audit-{lang}.{fmt}"
            run_in_process([big], fmt=fmt, out=str(out), workers=2, lang=lang)
            result[lang, fmt] = out.read_text()
    summary = json.loads(result["nl", "json"])
    admins, blocked = summary["administrations"], summary["blocked_administrations"]
    assert admins >= 1000
    share = 100 * blocked / admins
    dutch, english = f"{admins:,}".replace(",", "."), f"{admins:,}"
    assert f": {dutch} administraties gecontroleerd" in result["nl", "text"]
    assert f"({share:.1f}\u00a0%)".replace(".", ",") in result["nl", "text"]
    assert f": {english} administrations checked" in result["en", "text"] and f"({share:.1f}%)" in result["en", "text"]
    assert f">{dutch}<" in result["nl", "html"] and f"{share:.1f}\u00a0%".replace(".", ",") in result["nl", "html"]
    assert f">{english}<" in result["en", "html"] and f"{share:.1f}%" in result["en", "html"]


def test_one_run_writes_the_page_the_record_and_the_movable_list(
    tmp_path: Path, demo: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--format html --json FILE --movable FILE: the JSON is the very bytes --format json writes,
    the movable list the one --movable writes with any format."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795154400")
    run_in_process([demo[0]], fmt="html", out=str(tmp_path / "a.html"), json_out=str(tmp_path / "a.json"),
                   movable=str(tmp_path / "a.csv"), workers=2)
    run_in_process([demo[0]], fmt="json", out=str(tmp_path / "b.json"), movable=str(tmp_path / "b.csv"), workers=2)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.html").read_text().rstrip().endswith("</html>")


def test_a_comparison_of_a_readiness_only_audit_with_a_full_one_says_so(weeks: dict[str, Any], tmp_path: Path) -> None:
    """Text and page note that findings about migrations count as fixed (or new) for that reason."""
    folder = weeks["folder"]
    for fmt in ("text", "html"):
        out = tmp_path / f"audit.{fmt}"
        run_in_process([folder / "week3.jsonl"], fmt=fmt, out=str(out), workers=1, lang="en",
                       baseline=str(folder / "week1.json"), readiness_only=True)
        assert ("the previous audit also checked the migration requests; findings about migrations therefore "
                "count as fixed") in out.read_text()
