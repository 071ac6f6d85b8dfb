"""The `preflight` command as a user runs it: output, golden reports and exit status."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from preflight.resources import load_schema

from .conftest import run_preflight

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = {
    "ready.json": 0,
    "blocked.yaml": 1,
    "audit-office.json": 1,
    "invalid.json": 2,
    "not-json.txt": 2,
}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("example", "status"), EXAMPLES.items())
def test_check_json_matches_golden_report(example, status, lang):
    """`preflight check --format json` gives the golden report byte for byte, and the exit status."""
    result = run_preflight("check", f"examples/{example}", "--format", "json", "--lang", lang)
    assert result.returncode == status, result.stderr.decode()
    golden = GOLDEN / f"{example.rsplit('.', 1)[0]}.{lang}.json"
    assert result.stdout.decode() == golden.read_text(encoding="utf-8")
    assert result.stderr == b""


@pytest.mark.parametrize("example", EXAMPLES)
def test_reports_conform_to_the_report_schema(example):
    """Every report validates against schemas/report.schema.json."""
    result = run_preflight("check", f"examples/{example}", "--format", "json")
    validator = Draft202012Validator(load_schema("report.schema.json"))
    assert list(validator.iter_errors(json.loads(result.stdout))) == []


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_same_bytes_on_every_run_and_engine(engine):
    """Deterministic: two runs, either engine, the same bytes as the golden file."""
    first = run_preflight("check", "examples/blocked.yaml", "--format", "json", "--engine", engine)
    second = run_preflight("check", "examples/blocked.yaml", "--format", "json", "--engine", engine)
    assert first.stdout == second.stdout == (GOLDEN / "blocked.nl.json").read_bytes()


def test_standard_input():
    """`-` reads the snapshot from standard input."""
    data = (ROOT / "examples" / "ready.json").read_bytes()
    result = run_preflight("check", "-", "--format", "json", stdin=data)
    assert result.returncode == 0
    assert json.loads(result.stdout)["verdict"] == "ready"


def test_text_report_reads_verdict_first_then_subjects():
    """The text format: verdict, summary, then each subject with its findings and remedies."""
    result = run_preflight("check", "examples/blocked.yaml", "--lang", "en")
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "BLOCKED — the migration cannot start yet"
    assert lines[2] == "12 blocking, 5 advisory, 6 info"
    assert "\x1b[" not in result.stdout.decode()  # no colour when not on a terminal
    text = result.stdout.decode()
    block = text.split("\nadministration:2001\n")[1].split("\n\n")[0]
    severities = [line.split("]")[0].strip(" [") for line in block.splitlines() if line.startswith("  [")]
    assert severities == ["blocking", "blocking", "advisory", "info"]
    assert "Remedy: Approve or reject every document awaiting authorisation" in block


def test_text_report_of_invalid_input_lists_errors_with_where():
    """An invalid snapshot: each error with its path (or line and column)."""
    result = run_preflight("check", "examples/invalid.json")
    assert result.returncode == 2
    text = result.stdout.decode()
    assert text.startswith("ONGELDIG")
    assert "  - /administrations/2/pending_authorisation: -1 is kleiner dan het minimum 0" in text
    syntax = run_preflight("check", "examples/not-json.txt", "--lang", "en").stdout.decode()
    assert "  - line 3, column 3: invalid YAML" in syntax


def test_junit_output_is_xml_with_a_failure_per_blocking_finding():
    """JUnit: parses, and counts blocking findings as failures."""
    result = run_preflight("check", "examples/blocked.yaml", "--format", "junit")
    suite = ET.fromstring(result.stdout)
    assert suite.get("failures") == "12"
    assert len(suite.findall(".//failure")) == 12


def test_markdown_output_has_a_section_per_subject():
    """Markdown for a ticket: verdict heading and one heading per subject."""
    text = run_preflight("check", "examples/blocked.yaml", "--format", "markdown").stdout.decode()
    assert text.startswith("## GEBLOKKEERD")
    assert "### administration:2001" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("check", "does-not-exist.json"), b"cannot read does-not-exist.json"),
        (("check", "examples/ready.json", "--format", "pdf"), b"invalid choice"),
        (("check", "examples/ready.json", "--lang", "de"), b"invalid choice"),
        (("check",), b"the following arguments are required"),
        (("frobnicate",), b"invalid choice"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args, needle):
    """Usage errors: exit status 2, a message, never a traceback."""
    result = run_preflight(*args)
    assert result.returncode == 2
    assert needle in result.stderr
    assert b"Traceback" not in result.stderr


def test_broken_rules_directory_is_reported_not_raised(tmp_path):
    """A broken rule file stops the command with file, rule and path — not a traceback."""
    (tmp_path / "bad.yaml").write_text("theme: x\nrules:\n  - id: Bad Id\n", encoding="utf-8")
    result = run_preflight("check", "examples/ready.json", env={"PREFLIGHT_RULES_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert b"bad.yaml: rule Bad Id /rules/0" in result.stderr
    assert b"Traceback" not in result.stderr


def test_rules_table_and_json():
    """`preflight rules` lists every rule; --format json gives the same ids."""
    table = run_preflight("rules").stdout.decode().splitlines()
    as_json = json.loads(run_preflight("rules", "--format", "json").stdout)
    assert len(table) - 1 == len(as_json) >= 28
    assert {r["id"] for r in as_json} >= {"transfer-code-expired", "subadministration"}
    assert all(r["mode"] in ("A", "M") for r in as_json)


def test_rules_test_runs_every_example():
    """`preflight rules test` ends with 'N passed, 0 failed' and exit 0."""
    result = run_preflight("rules", "test")
    assert result.returncode == 0
    last = result.stdout.decode().strip().splitlines()[-1]
    passed, failed = last.split(", ")
    assert int(passed.split()[0]) > 100 and failed == "0 failed"


def test_rules_test_fails_on_a_wrong_example(tmp_path):
    """A rule whose example is wrong makes `rules test` fail and name it."""
    for path in (ROOT / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "administration.yaml":
            text = text.replace("fires: [administration:1001]\n      - name: an ordinary administration", "fires: [administration:1002]\n      - name: an ordinary administration", 1)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    result = run_preflight("rules", "test", env={"PREFLIGHT_RULES_DIR": str(tmp_path)})
    assert result.returncode == 1
    out = result.stdout.decode()
    assert "FAIL subadministration [durable] a copy of 1002" in out
    assert out.strip().endswith("2 failed")
