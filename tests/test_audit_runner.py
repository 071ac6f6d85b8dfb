"""preflight.audit.runner: a stalled worker costs one snapshot, and nothing is ever lost.

The test hooks PREFLIGHT_AUDIT_HANG_ON and PREFLIGHT_AUDIT_CRASH_ON make a worker sleep forever
or kill itself on one office; the workers are real processes, the audit runs in-process.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from preflight.audit.cli import run_audit
from preflight.audit.runner import CRASH_ENV, HANG_ENV

from .test_audit_cli import ROOT, busy_worker, expected_totals, write_demo
from .test_audit_sources import refuse_to_list


def audit_json(paths: list[Path], out: Path, **options: Any) -> tuple[int, str, dict[str, Any]]:
    errors = io.StringIO()
    status = run_audit([str(p) for p in paths], fmt="json", out=str(out), quiet=True, stderr=errors, **options)
    return status, errors.getvalue(), json.loads(out.read_text())


def code_of(line: str) -> str:
    return str(json.loads(line)["source_office"]["code"])


def test_a_snapshot_over_the_time_limit_is_failed_and_the_audit_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that hangs on one office: that office is `failed` ("took longer than 2 s") with its
    source; its worker is replaced; every other office is checked as usual."""
    source = tmp_path / "offices.jsonl"
    lines = write_demo(source, 20, seed=12)
    monkeypatch.setenv(HANG_ENV, code_of(lines[4]))
    status, errors, result = audit_json([source], tmp_path / "audit.json", workers=2, timeout=2)
    assert status == 2, errors
    assert (result["offices"], result["failed"], result["invalid"]) == (20, 1, 0)
    stalled = result["reports"][4]
    assert (stalled["verdict"], stalled["source"], stalled["line"], stalled["office"]) == (
        "failed", str(source), 5, code_of(lines[4]))
    assert stalled["failure"] == "not checked: it took longer than 2 s (the time limit, --timeout)"
    assert errors == f"preflight audit: {source}:5 took longer than 2 s; its worker was stopped and replaced\n"
    assert result["administrations"] == expected_totals(lines[:4] + lines[5:])["administrations"]


@pytest.mark.slow
def test_time_while_the_audit_is_stopped_does_not_count_against_a_snapshot(tmp_path: Path) -> None:
    """Ctrl-Z for longer than the time limit, then fg: no snapshot is reported as too slow."""
    source = tmp_path / "offices.jsonl"
    write_demo(source, 5000, seed=3)
    process = subprocess.Popen(
        [sys.executable, "-m", "preflight", "audit", str(source), "--workers", "1", "--timeout", "2",
         "--out", str(tmp_path / "audit.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True,
    )
    busy_worker(process, cpu=1.2)
    os.killpg(process.pid, signal.SIGSTOP)
    time.sleep(5)
    os.killpg(process.pid, signal.SIGCONT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, stderr.decode()
    assert b"took longer" not in stderr and "Mislukte" not in (tmp_path / "audit.txt").read_text()


def test_nothing_is_lost_with_a_hung_worker_a_killed_worker_and_broken_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All at once — a worker that hangs, one that is killed (twice), lines that are not JSON or
    break the contract, links that loop or break, a folder that cannot be read, a lone surrogate:
    offices counted = snapshots read, and each one that could not be checked is listed by source."""
    exports = tmp_path / "exports"
    (exports / "more").mkdir(parents=True)
    (exports / "locked").mkdir()
    broken = json.loads(write_demo(tmp_path / "spare.jsonl", 1, seed=98)[0])
    broken["administrations"][0]["pending_authorisation"] = -1
    odd = json.loads(write_demo(tmp_path / "odd.jsonl", 1, seed=97)[0])
    odd["source_office"]["name"] = "\ud800"
    source = exports / "offices.jsonl"
    lines = write_demo(source, 24, seed=31, extra={
        5: '{"snapshot_version": 1, "taken_at": ', 12: json.dumps(broken), 18: json.dumps(odd)})
    hung, killed = code_of(lines[8]), code_of(lines[15])
    single = write_demo(exports / "more" / "one.json", 1, seed=41)
    (exports / "more" / "two.yaml").write_text("snapshot_version: 1\n")
    (exports / "loop.json").symlink_to("loop.json")
    (exports / "gone.jsonl").symlink_to("nowhere.jsonl")
    refuse_to_list(monkeypatch, "locked")
    monkeypatch.setenv(HANG_ENV, hung)
    monkeypatch.setenv(CRASH_ENV, killed)
    status, errors, result = audit_json([exports], tmp_path / "audit.json", workers=2, timeout=3)

    read = len(lines) + 2 + 3  # the JSON Lines, the two files in more/, the three unreadable entries
    assert status == 2, errors
    assert result["offices"] == read == len(result["reports"]) == sum(result["verdicts"].values())
    listed = {(Path(r["source"]).name, r["line"], r["verdict"]) for r in result["reports"]
              if r["verdict"] in ("invalid", "failed")}
    assert listed == {
        ("gone.jsonl", None, "invalid"), ("locked", None, "invalid"), ("loop.json", None, "invalid"),
        ("offices.jsonl", 6, "invalid"), ("offices.jsonl", 13, "invalid"), ("offices.jsonl", 19, "invalid"),
        ("offices.jsonl", 9, "failed"), ("offices.jsonl", 16, "failed"),
        ("two.yaml", None, "invalid"),
    }
    assert (result["invalid"], result["failed"]) == (7, 2)
    checked = [text for i, text in enumerate(lines) if i not in (5, 8, 12, 15, 18)] + single
    assert result["administrations"] == expected_totals(checked)["administrations"]
    assert f"{source}:9 took longer than 3 s" in errors and f"{source}:16 was killed (SIGKILL) again" in errors
