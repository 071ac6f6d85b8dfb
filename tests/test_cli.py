"""The `preflight` command as a user runs it: output, golden reports and exit status."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from preflight.pipeline import engine_unavailable
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


@pytest.mark.parametrize("engine", [
    "compiled", "python", "cross-check",
    pytest.param("durable", marks=pytest.mark.skipif(bool(engine_unavailable("durable")),
                                                     reason=str(engine_unavailable("durable")))),
])
def test_same_bytes_on_every_run_and_engine(engine):
    """Deterministic: two runs, any engine, the same bytes as the golden file."""
    first = run_preflight("check", "examples/blocked.yaml", "--format", "json", "--engine", engine)
    second = run_preflight("check", "examples/blocked.yaml", "--format", "json", "--engine", engine)
    assert first.stdout == second.stdout == (GOLDEN / "blocked.nl.json").read_bytes()


def test_standard_input():
    """`-` reads the snapshot from standard input."""
    data = (ROOT / "examples" / "ready.json").read_bytes()
    result = run_preflight("check", "-", "--format", "json", stdin=data)
    assert result.returncode == 0
    assert json.loads(result.stdout)["verdict"] == "ready"


def test_text_report_reads_as_what_an_agent_says():
    """Top to bottom: verdict; from which office to which and who asks; the numbered plan; which
    administrations can move; the findings per administration by name; info last."""
    result = run_preflight("check", "examples/blocked.yaml", "--lang", "en")
    assert result.returncode == 1
    text = result.stdout.decode()
    assert "\x1b[" not in text  # no colour when not on a terminal
    lines = text.splitlines()
    assert lines[0] == "BLOCKED — the migration cannot start yet"
    assert lines[2].startswith("From") and "Administratiekantoor De Vries (ADV01)" in lines[2]
    assert lines[3].startswith("To") and "subscription Trial, linked to Exact Online" in lines[3]
    assert "s.meijer@devries-administratie.nl (accountant)" in lines[4]
    order = [text.index(h) for h in ("\nWhat must happen\n", "\n 1. The new Basecone environment — by the new office",
                                     "\n 2. Superusers", "\nWhich administrations can move\n", "\nFindings\n",
                                     "\n  2001 Bakkerij Van Dam B.V.\n", "\nGood to know\n")]
    assert order == sorted(order)
    assert "  Can move now: none" in lines
    assert "  Cannot move: 2003 Hoveniersbedrijf Groen - filiaal Utrecht" in lines
    # a remedy is said once per step, naming the administrations it concerns
    assert text.count("Create the users again in the new office.") == 1
    assert "    - Create the users again in the new office. (2001 Bakkerij Van Dam B.V. and 2002 Hoveniersbedrijf Groen)" in lines
    # info findings never crowd blockers: they come after every finding of the administrations
    assert text.index("submission address of administration 2001") > text.index("(batch-too-large)")


def test_a_completed_migration_is_reported_as_completed_with_exit_0(tmp_path):
    """A completed migration: verdict completed, exit 0, and only what must still happen."""
    import yaml

    data = yaml.safe_load((ROOT / "examples" / "blocked.yaml").read_text(encoding="utf-8"))
    data["migration"] = {"status": "completed", "administrations": data["migration"]["administrations"]}
    path = tmp_path / "done.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_preflight("check", str(path), "--lang", "en")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert text.startswith("COMPLETED — the migration has been carried out")
    assert "What must still happen" in text and "After the migration" in text
    assert "[blocking]" not in text and "Trial" in text  # the context still says where it went


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


def test_markdown_output_has_the_same_reading_order():
    """Markdown for a ticket: verdict heading, context, numbered plan, batches, findings by name."""
    text = run_preflight("check", "examples/blocked.yaml", "--format", "markdown").stdout.decode()
    assert text.startswith("## GEBLOKKEERD")
    order = [text.index(h) for h in ("- **Van:**", "### Wat er moet gebeuren", "1. **De nieuwe Basecone-omgeving**",
                                     "### Welke administraties kunnen mee", "**2001 Bakkerij Van Dam B.V.**")]
    assert order == sorted(order)
    # a menu path renders as typed: '>' escaped for Markdown, not turned into an HTML entity
    assert "Instellingen \\> Administraties" in text and "&gt;" not in text


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
            text = text.replace("fires: [administration:1001]\n        severity: blocking\n      - name: an ordinary administration", "fires: [administration:1002]\n        severity: blocking\n      - name: an ordinary administration", 1)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    result = run_preflight("rules", "test", env={"PREFLIGHT_RULES_DIR": str(tmp_path)})
    assert result.returncode == 1
    out = result.stdout.decode()
    from preflight.pipeline import available_engines

    for engine in available_engines():
        assert f"FAIL subadministration [{engine}] a copy of 1002" in out
    assert out.strip().endswith(f"{len(available_engines())} failed")


def test_a_file_over_the_limit_says_its_size_in_words(tmp_path, capsys):
    """A 6 MB file: the report names 6,0 MB against the 5,2 MB limit (not '5242881 bytes')."""
    from preflight.cli import main

    big = tmp_path / "big.json"
    big.write_bytes(b" " * 6_000_000)
    assert main(["check", str(big)]) == 2
    out = capsys.readouterr().out
    assert out.startswith("TE GROOT")
    assert "de snapshot is 6,0 MB (6.000.000 bytes); hoogstens 5,2 MB (5.242.880 bytes) wordt gelezen" in out
