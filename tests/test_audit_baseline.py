"""preflight.audit.baseline: an audit compared with an earlier one — how offices and findings
are matched, and a baseline that cannot be used is a usage error before anything is read."""

from __future__ import annotations

import gzip
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight.audit.baseline import (
    COMPARED_VERSION,
    BaselineError,
    PreviousOffice,
    compare,
    finding_key,
    office_key,
    open_baseline,
)
from preflight.audit.cli import run_audit
from preflight.audit.summary import AUDIT_VERSION
from preflight.demo_data import generate


def finding(rule: str, admin: str | None, severity: str = "blocking", kind: str = "administration",
            key: str | None = None, message: str = "…") -> dict[str, Any]:
    key = key if key is not None else admin
    return {"rule": rule, "severity": severity, "subject": f"{kind}:{key}" if key else kind,
            "about": {"kind": kind, "key": key, "administration": admin}, "message": message}


def report(*findings: dict[str, Any], verdict: str = "blocked") -> dict[str, Any]:
    return {"verdict": verdict, "findings": list(findings)}


def test_the_same_rule_about_the_same_subject_is_the_same_finding_whatever_its_message() -> None:
    """Counts and wording change from week to week; the finding stays open."""
    before = PreviousOffice("blocked", (finding("documents-awaiting-authorisation", "1001", message="12 documents"),))
    changes, counts = compare(before, report(finding("documents-awaiting-authorisation", "1001", message="3 documents")))
    assert (changes["fixed"], changes["new"], changes["open"]) == ([], [], 1)
    assert counts.by_rule == {"documents-awaiting-authorisation": [0, 0, 1]} and counts.new_blocking == 0


def test_fixed_new_and_open_per_rule() -> None:
    """Gone: fixed; not there before: new (blocking ones counted apart); in both: open. A user's
    finding is matched by the user and the administration."""
    before = PreviousOffice("blocked", (
        finding("documents-awaiting-authorisation", "1001"),
        finding("subadministration", "1002"),
        finding("personal-archive-lost", "1003", "advisory", kind="user", key="a@x.nl"),
    ))
    now = report(
        finding("subadministration", "1002"),
        finding("documents-awaiting-authorisation", "1004"),
        finding("personal-archive-lost", "1004", "advisory", kind="user", key="a@x.nl"),
    )
    changes, counts = compare(before, now)
    assert changes["new"] == [1, 2] and changes["open"] == 1
    assert sorted((f["rule"], f["about"]["administration"]) for f in changes["fixed"]) == [
        ("documents-awaiting-authorisation", "1001"), ("personal-archive-lost", "1003")]
    assert counts.by_rule == {"subadministration": [0, 0, 1], "documents-awaiting-authorisation": [1, 1, 0],
                              "personal-archive-lost": [1, 1, 0]}
    assert counts.new_blocking == 1 and counts.previous_verdict == "blocked"


def test_identical_keys_count_as_often_as_they_occur() -> None:
    """Two findings with one key last time, one now: one open, one fixed."""
    twice = finding("workflow-with-authorisers", "1001")
    changes, counts = compare(PreviousOffice("blocked", (twice, twice)), report(twice))
    assert (len(changes["fixed"]), changes["new"], changes["open"]) == (1, [], 1)


def test_an_office_not_in_the_baseline_has_only_new_findings() -> None:
    """No previous verdict; every finding new."""
    changes, counts = compare(None, report(finding("subadministration", "1002")))
    assert changes == {"previous_verdict": None, "fixed": [], "new": [0], "open": 0}
    assert not counts.in_baseline and counts.new_blocking == 1


def test_an_office_that_cannot_be_checked_now_has_fixed_nothing() -> None:
    """Invalid (or failed) now: last time's findings are not counted as fixed."""
    before = PreviousOffice("blocked", (finding("subadministration", "1002"),))
    for now in (None, report(verdict="invalid")):
        changes, counts = compare(before, now)
        assert (changes["fixed"], changes["new"], changes["open"]) == ([], [], 0)
        assert counts.by_rule == {}


def test_offices_are_matched_by_code_else_by_source_and_line() -> None:
    """The code when there is one (wherever the snapshot sits now); an unreadable entry by where it is."""
    assert office_key("VD00012", "a.jsonl", 3) == office_key("VD00012", "b.jsonl", 9)
    assert office_key(None, "a.jsonl", 3) != office_key(None, "a.jsonl", 4)
    assert finding_key(finding("r", "1001")) == ("r", "administration", "1001", "1001")


def test_the_baseline_version_is_the_audit_version() -> None:
    """A baseline of this version is what the audit writes."""
    assert COMPARED_VERSION == AUDIT_VERSION


# -- reading a baseline ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def week1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An audit of 30 demo offices (week 1) as JSON."""
    folder = tmp_path_factory.mktemp("week1")
    source = folder / "offices.jsonl"
    source.write_text("\n".join(generate(30, seed=8)) + "\n")
    out = folder / "audit.json"
    assert run_audit([str(source)], fmt="json", out=str(out), workers=1, quiet=True, stderr=io.StringIO()) == 1
    return out


def test_a_baseline_is_read_streaming_and_whole(week1: Path, tmp_path: Path) -> None:
    """As the audit writes it (one office a line), gzip-compressed, or re-indented by another tool."""
    document = json.loads(week1.read_text())
    packed = tmp_path / "audit.json.gz"
    packed.write_bytes(gzip.compress(week1.read_bytes()))
    indented = tmp_path / "indented.json"
    indented.write_text(json.dumps(document, indent=4))
    for path in (week1, packed, indented):
        baseline = open_baseline(str(path), str(tmp_path))
        try:
            assert baseline.info.offices == 30 and baseline.info.run_at == document["run_at"]
            assert len(list(baseline.remaining(set()))) == 30
            # stored without a name (nothing to leave behind if the audit is killed), yet readable
            # by another process through /proc, as the workers read it
            assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json.gz", "indented.json"]
            code = document["reports"][0]["office"]
            read = subprocess.run(
                [sys.executable, "-c", "import pickle, sys; from preflight.audit.baseline import BaselineIndex, "
                 "office_key; index = BaselineIndex(pickle.loads(sys.stdin.buffer.read())); "
                 f"print(len(index.previous(office_key({code!r}, '', None)).findings))"],
                input=pickle.dumps(baseline.store), capture_output=True, check=True)
            assert int(read.stdout) == len(document["reports"][0]["report"]["findings"])
        finally:
            baseline.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "is not JSON (line 1, column 1: Expecting value)"),
        ('{"verdict": "ready"}', "is not the JSON output of `preflight audit --format json`"),
        ('{"audit_version": 1, "offices": 0, "reports": []}',
         "is an audit of version 1; this preflight compares with audits of version 2 only"),
        ("[1, 2]", "is not the JSON output of `preflight audit --format json`"),
    ],
)
def test_a_baseline_that_is_no_audit_of_this_version_is_refused(tmp_path: Path, content: str, message: str) -> None:
    """The reason, naming the file; no index left behind."""
    path = tmp_path / "previous.json"
    path.write_text(content)
    with pytest.raises(BaselineError) as caught:
        open_baseline(str(path), str(tmp_path))
    assert str(caught.value).startswith(f"--baseline {path}: {message}"), caught.value
    assert [p.name for p in tmp_path.iterdir()] == ["previous.json"]


def test_a_cut_off_baseline_is_refused(week1: Path, tmp_path: Path) -> None:
    """A file that ends within its offices, or lists fewer than its totals say."""
    lines = week1.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith('  "reports": ['))
    for kept, said in ((lines[: start + 5], "ends before its list of offices does"),
                       (lines[: start + 5] + ["  ]\n", "}\n"], "lists 4 offices where its totals say 30")):
        path = tmp_path / "cut.json"
        path.write_text("".join(kept).rstrip(",\n") + "\n" if said.startswith("ends") else "".join(kept))
        with pytest.raises(BaselineError, match=said):
            open_baseline(str(path), str(tmp_path))


def test_a_missing_baseline_is_refused(tmp_path: Path) -> None:
    """A path that does not exist, or a folder."""
    with pytest.raises(BaselineError, match="cannot read it: No such file or directory"):
        open_baseline(str(tmp_path / "nope.json"))
    with pytest.raises(BaselineError, match="is a folder"):
        open_baseline(str(tmp_path))
