"""The `preflight` command as a user runs it: output, golden reports, exit status and help.

Run in-process through ``preflight.cli.main`` (see the ``cli`` fixture); one test starts the
installed console script, as a user's shell does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from preflight.cli import build_parser
from preflight.pipeline import DEFAULT_ENGINE, available_engines
from preflight.resources import load_schema
from preflight.rulebook import default_rulebook
from preflight.vocabulary import EXIT_STATUS

from .conftest import DURABLE_MISSING, ENGINE_PARAMS
from .regenerate import GOLDEN_EXAMPLES, LANGS, golden_path, stale_message

ROOT = Path(__file__).resolve().parent.parent


def golden(example: str, lang: str = "nl") -> str:
    return golden_path(example, lang).read_text(encoding="utf-8")


def blocked_summary() -> dict[str, int]:
    """The counts of the blocked example, as its golden report has them."""
    summary: dict[str, int] = json.loads(golden("blocked.yaml", "en"))["summary"]
    return summary


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("example", GOLDEN_EXAMPLES)
def test_check_json_matches_golden_report(cli, example, lang):
    """`preflight check --format json` gives the golden report byte for byte, and the exit status of its verdict."""
    result = cli("check", f"examples/{example}", "--format", "json", "--lang", lang)
    expected = golden(example, lang)
    assert result.stdout == expected, stale_message(golden_path(example, lang), expected, result.stdout, "golden")
    assert result.status == EXIT_STATUS[json.loads(expected)["verdict"]], result.stderr
    assert result.stderr == ""


def test_the_golden_examples_cover_every_verdict():
    """The golden reports include a ready, a blocked and an invalid snapshot (each exit status)."""
    verdicts = {json.loads(golden(example))["verdict"] for example in GOLDEN_EXAMPLES}
    assert {"ready", "blocked", "invalid"} <= verdicts
    assert {EXIT_STATUS[verdict] for verdict in verdicts} == {0, 1, 2}


@pytest.mark.parametrize("example", GOLDEN_EXAMPLES)
def test_reports_conform_to_the_report_schema(cli, example):
    """Every report validates against schemas/report.schema.json."""
    result = cli("check", f"examples/{example}", "--format", "json")
    validator = Draft202012Validator(load_schema("report.schema.json"))
    assert list(validator.iter_errors(json.loads(result.stdout))) == []


@pytest.mark.parametrize("engine", [*ENGINE_PARAMS, "cross-check"])
def test_same_bytes_on_every_run_and_engine(cli, engine):
    """Deterministic: two runs, any engine, the same bytes as the golden file."""
    first = cli("check", "examples/blocked.yaml", "--format", "json", "--engine", engine)
    second = cli("check", "examples/blocked.yaml", "--format", "json", "--engine", engine)
    assert first.stdout == second.stdout == golden("blocked.yaml")


def test_standard_input(cli):
    """`-` reads the snapshot from standard input."""
    data = (ROOT / "examples" / "ready.json").read_bytes()
    result = cli("check", "-", "--format", "json", stdin=data)
    assert result.status == 0
    assert json.loads(result.stdout)["verdict"] == "ready"


def test_text_report_reads_as_what_an_agent_says(cli):
    """Top to bottom: verdict; from which office to which and who asks; the numbered plan; which
    administrations can move; the findings per administration by name; info last."""
    result = cli("check", "examples/blocked.yaml", "--lang", "en")
    assert result.status == 1
    text = result.stdout
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


def test_a_completed_migration_is_reported_as_completed_with_exit_0(cli, tmp_path):
    """A completed migration: verdict completed, exit 0, and only what must still happen."""
    import yaml

    data = yaml.safe_load((ROOT / "examples" / "blocked.yaml").read_text(encoding="utf-8"))
    data["migration"] = {"status": "completed", "administrations": data["migration"]["administrations"]}
    path = tmp_path / "done.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = cli("check", str(path), "--lang", "en")
    assert result.status == 0
    text = result.stdout
    assert text.startswith("COMPLETED — the migration has been carried out")
    assert "What must still happen" in text and "After the migration" in text
    assert "[blocking]" not in text and "Trial" in text  # the context still says where it went


def test_text_report_of_invalid_input_lists_errors_with_where(cli):
    """An invalid snapshot: each error with its path (or line and column)."""
    result = cli("check", "examples/invalid.json")
    assert result.status == 2
    text = result.stdout
    assert text.startswith("ONGELDIG")
    assert "  - /administrations/2/pending_authorisation: -1 is kleiner dan het minimum 0" in text
    syntax = cli("check", "examples/not-json.txt", "--lang", "en").stdout
    assert "  - line 3, column 3: invalid YAML" in syntax


def test_junit_output_is_xml_with_a_failure_per_blocking_finding(cli):
    """JUnit: parses, and counts blocking findings as failures."""
    result = cli("check", "examples/blocked.yaml", "--format", "junit")
    suite = ET.fromstring(result.stdout)
    blocking = blocked_summary()["blocking"]
    assert suite.get("failures") == str(blocking)
    assert len(suite.findall(".//failure")) == blocking > 0


def test_markdown_output_has_the_same_reading_order(cli):
    """Markdown for a ticket: verdict heading, context, numbered plan, batches, findings by name."""
    text = cli("check", "examples/blocked.yaml", "--format", "markdown").stdout
    assert text.startswith("## GEBLOKKEERD")
    order = [text.index(h) for h in ("- **Van:**", "### Wat er moet gebeuren", "1. **De nieuwe Basecone-omgeving**",
                                     "### Welke administraties kunnen mee", "**2001 Bakkerij Van Dam B.V.**")]
    assert order == sorted(order)
    # a menu path renders as typed: '>' escaped for Markdown, not turned into an HTML entity
    assert "Instellingen \\> Administraties" in text and "&gt;" not in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("check", "does-not-exist.json"), "cannot read does-not-exist.json"),
        (("check", "examples/ready.json", "--format", "pdf"), "invalid choice"),
        (("check", "examples/ready.json", "--lang", "de"), "invalid choice"),
        (("check",), "the following arguments are required"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_usage_errors_exit_2_without_traceback(cli, args, needle):
    """Usage errors: exit status 2, a message, never a traceback."""
    result = cli(*args)
    assert result.status == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("check", "examples/ready.json"), ("audit", "examples")])
def test_the_durable_engine_where_it_cannot_run_is_a_usage_error(cli, without_durable, command):
    """Without durable-rules (Python 3.13): `--engine durable` exits 2 naming the Python version."""
    result = cli(*command, "--engine", "durable")
    assert result.status == 2
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in result.stderr
    assert "durable-rules does not install there" in result.stderr and result.stdout == ""
    assert cli("check", "examples/ready.json", "--engine", "python").status == 0


@pytest.mark.skipif(DURABLE_MISSING is None, reason="durable-rules is installed here")
def test_without_durable_the_default_engine_still_checks(cli):
    """Python 3.13: no engine named, the default (compiled) engine checks and gives the golden report."""
    assert DEFAULT_ENGINE == "compiled"
    assert cli("check", "examples/blocked.yaml", "--format", "json").stdout == golden("blocked.yaml")


def test_broken_rules_directory_is_reported_not_raised(cli, tmp_path):
    """A broken rule file stops the command with file, rule and path — not a traceback."""
    (tmp_path / "bad.yaml").write_text("theme: x\nrules:\n  - id: Bad Id\n", encoding="utf-8")
    result = cli("check", "examples/ready.json", env={"PREFLIGHT_RULES_DIR": str(tmp_path)})
    assert result.status == 2
    assert "bad.yaml: rule Bad Id /rules/0" in result.stderr
    assert "Traceback" not in result.stderr


def test_rules_table_and_json(cli):
    """`preflight rules` lists every rule; --format json gives the same ids; `rules list` is the same table."""
    table = cli("rules").stdout.splitlines()
    as_json = json.loads(cli("rules", "--format", "json").stdout)
    assert len(table) - 1 == len(as_json) >= 28
    assert {r["id"] for r in as_json} >= {"transfer-code-expired", "subadministration"}
    assert all(r["mode"] in ("A", "M") for r in as_json)
    assert cli("rules", "list").stdout.splitlines() == table


def every_example_on_every_engine() -> int:
    """How many results `rules test` gives: each example of each rule, on each engine this Python runs."""
    return sum(len(rule.examples) for rule in default_rulebook().rules) * len(available_engines())


def test_rules_test_runs_every_example(cli):
    """`preflight rules test` ends with 'N passed, 0 failed' and exit 0."""
    result = cli("rules", "test")
    assert result.status == 0
    assert result.stdout.strip().splitlines()[-1] == f"{every_example_on_every_engine()} passed, 0 failed"


def _rules_with_a_wrong_example(folder: Path) -> Path:
    """A copy of rules/ in which one example of `subadministration` names the wrong administration."""
    for path in (ROOT / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "administration.yaml":
            text = text.replace("fires: [administration:1001]\n        severity: blocking\n      - name: an ordinary administration", "fires: [administration:1002]\n        severity: blocking\n      - name: an ordinary administration", 1)
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder


def test_rules_test_fails_on_a_wrong_example(cli, tmp_path):
    """A rule whose example is wrong makes `rules test` fail and name it, on every engine that runs here."""
    result = cli("rules", "test", env={"PREFLIGHT_RULES_DIR": str(_rules_with_a_wrong_example(tmp_path))})
    assert result.status == 1
    for engine in available_engines():
        assert f"FAIL subadministration [{engine}] a copy of 1002" in result.stdout
    assert result.stdout.strip().endswith(f"{len(available_engines())} failed")


def test_rules_test_format_json_lists_every_example_result(cli, tmp_path):
    """`rules test --format json`: one object per example and engine, the failures marked, same exit status."""
    result = cli("rules", "test", "--format", "json", env={"PREFLIGHT_RULES_DIR": str(_rules_with_a_wrong_example(tmp_path))})
    assert result.status == 1
    document = json.loads(result.stdout)
    failed = [r for r in document["results"] if not r["passed"]]
    assert [(r["rule"], r["example"]) for r in failed if r["engine"] == DEFAULT_ENGINE] == [("subadministration", "a copy of 1002")]
    assert document["passed"] + document["failed"] == len(document["results"]) == every_example_on_every_engine()
    assert document["failed"] == len(failed)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_rules_test_refuses_a_format_it_has_not(cli, fmt):
    """`rules test` prints text or JSON; another format is a usage error, not silently ignored."""
    result = cli("rules", "test", "--format", fmt)
    assert result.status == 2
    assert "rules test" in result.stderr and "--format" in result.stderr


def _commands() -> dict[str, list[str]]:
    """Each command and the long options its parser defines (read from the parser itself)."""
    found: dict[str, list[str]] = {}
    for action in build_parser()._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            found[name] = [opt for a in sub._actions for opt in a.option_strings if opt.startswith("--") and opt != "--help"]
    return found


def test_the_help_tests_find_every_command():
    """The commands are read from the parser, so the --help test below covers each new one too."""
    assert set(_commands()) >= {"check", "rules", "audit", "demo-data"}


@pytest.mark.parametrize("command", sorted(_commands()))
def test_help_describes_the_command_its_options_and_an_example(cli, command):
    """`preflight COMMAND --help` exits 0 with a description, every option, its default, and an example."""
    result = cli(command, "--help")
    assert result.status == 0 and result.stderr == ""
    text = result.stdout
    assert text.startswith(f"usage: preflight {command}")
    description = text.split("\n\n")[1]
    assert not description.startswith(("positional arguments", "options")), "no description"
    for option in _commands()[command]:
        assert option in text, option
    assert "default" in text
    assert f"\n  preflight {command}" in text.split("xample", 1)[-1], "no example"


def test_top_level_help_lists_every_command(cli):
    """`preflight --help` names each command with a line of help, and exits 0."""
    result = cli("--help")
    assert result.status == 0
    for command in _commands():
        assert re.search(rf"^    {command}\s+\S", result.stdout, re.M), command


def test_the_installed_command_runs_end_to_end():
    """The console script `preflight` that pip installed: a real process, its output and exit status."""
    script = Path(sys.executable).with_name("preflight")
    done = subprocess.run([str(script), "check", "examples/blocked.yaml", "--format", "json"], capture_output=True,
                          cwd=ROOT, timeout=120, check=False, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout.decode() == golden("blocked.yaml")
    assert done.stderr == b""


def test_a_file_over_the_limit_says_its_size_in_words(cli, tmp_path):
    """A 6 MB file: the report names 6,0 MB against the 5,2 MB limit (not '5242881 bytes')."""
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 6_000_000)
    result = cli("check", str(big))
    assert result.status == 2
    assert result.stdout.startswith("TE GROOT")
    assert "de snapshot is 6,0 MB (6.000.000 bytes); hoogstens 5,2 MB (5.242.880 bytes) wordt gelezen" in result.stdout
