"""preflight.audit.office: whatever goes wrong with one snapshot becomes that office's own result."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight import pipeline
from preflight.audit import office
from preflight.audit.office import audit_item, audit_outcome
from preflight.audit.outputs import FORMATS
from preflight.audit.sources import SourceItem
from preflight.demo_data import generate

LINE = next(iter(generate(1, seed=3)))


def item(raw: str = LINE) -> SourceItem:
    return SourceItem("exports/a.jsonl", 7, raw.encode("utf-8"))


def test_a_loader_that_raises_anything_gives_a_failed_office_with_its_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only the loader's own errors: any exception in the check (the loader included) is
    reported as this office's failure, named by its code as far as the snapshot can be read."""

    def broken_loader(raw: bytes, **options: Any) -> Any:
        raise ValueError("surrogates not allowed")

    monkeypatch.setattr(pipeline, "load_snapshot", broken_loader)
    detail = audit_item(item(), lang="en", engine="python")
    assert (detail["verdict"], detail["source"], detail["line"]) == ("failed", "exports/a.jsonl", 7)
    assert detail["failure"] == "the check failed: ValueError: surrogates not allowed"
    assert detail["office"] == json.loads(LINE)["source_office"]["code"]
    assert detail["administrations"] is None and detail["movable"] is None


def test_an_engine_that_raises_gives_a_failed_office_named_by_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The office code is kept when the snapshot was read; a huge message is cut short."""

    def broken_check(data: Any, **kwargs: Any) -> Any:
        raise RuntimeError("x" * 100_000)

    monkeypatch.setattr(office, "check", broken_check)
    detail = audit_item(item(), lang="en", engine="durable")
    assert detail["verdict"] == "failed" and detail["office"] == json.loads(LINE)["source_office"]["code"]
    assert detail["failure"].startswith("the check failed: RuntimeError: xxx")
    assert len(detail["failure"]) <= len("the check failed: ") + office.MAX_FAILURE_CHARS


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_fragment_that_cannot_be_rendered_gives_a_failed_office(fmt: str) -> None:
    """Even a fault after the check (rendering this office) is the office's result, in its format."""
    calls: list[str] = []

    def fragile(detail: dict[str, Any], lang: str) -> str:
        calls.append(detail["verdict"])
        if detail["verdict"] != "failed":
            raise KeyError("summary")
        return FORMATS[fmt].fragment(detail, lang)

    outcome = audit_outcome(3, item(), lang="en", engine="python", fragment=fragile)
    assert (outcome.seq, outcome.verdict, outcome.source, outcome.line) == (3, "failed", "exports/a.jsonl", 7)
    assert calls == ["blocked", "failed"] and "KeyError" in outcome.fragment


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_lone_surrogates_never_reach_the_output_unescaped(fmt: str) -> None:
    """A file name that is not UTF-8 (Python holds it with lone surrogates) gives a fragment that
    any UTF-8 output accepts; in JSON it is the same string again."""
    name = os.fsdecode(b"exports/caf\xe9.jsonl")
    odd = SourceItem(name, 7, LINE.encode("utf-8"))
    outcome = audit_outcome(0, odd, lang="nl", engine="python", fragment=FORMATS[fmt].fragment)
    outcome.fragment.encode("utf-8")
    assert outcome.verdict == "blocked" and outcome.source == name
    if fmt == "json":
        assert json.loads(outcome.fragment)["source"] == name
    elif fmt != "text":  # (the text output lists only the offices that could not be checked)
        assert "caf\\udce9.jsonl" in outcome.fragment


# -- one verdict everywhere (issue 11) ---------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def variants() -> dict[str, bytes]:
    """Snapshots with and without a migration, one that breaks the contract inside its migration
    only, a completed and a withdrawn one, and text that is no snapshot at all."""
    blocked = yaml.safe_load((EXAMPLES / "blocked.yaml").read_text(encoding="utf-8"))
    ready = json.loads((EXAMPLES / "ready.json").read_text(encoding="utf-8"))
    no_code_date = copy.deepcopy(blocked)
    del no_code_date["migration"]["transfer_code_sent_at"]  # status code_sent without its date
    completed = copy.deepcopy(ready)
    completed["migration"]["status"] = "completed"
    withdrawn = copy.deepcopy(ready)
    withdrawn["migration"]["status"] = "withdrawn"
    without = {name: {k: v for k, v in data.items() if k != "migration"} for name, data in
               (("blocked", blocked), ("ready", ready))}
    out = {name: (EXAMPLES / name).read_bytes() for name in
           ("blocked.yaml", "ready.json", "one-problem.yaml", "audit-office.json", "invalid.json", "not-json.txt")}
    for name, data in (("code-sent-without-date", no_code_date), ("completed", completed), ("withdrawn", withdrawn),
                       ("blocked-without-migration", without["blocked"]),
                       ("ready-without-migration", without["ready"])):
        out[f"{name}.json"] = json.dumps(data, indent=1).encode()
    return out


@pytest.mark.parametrize("name", list(variants()))
@pytest.mark.parametrize("readiness_only", [False, True], ids=["full", "readiness-only"])
def test_an_audited_snapshot_gets_the_report_check_gives(name: str, readiness_only: bool) -> None:
    """The audit's report of a snapshot is, byte for byte, the one `check` gives (with a
    migration: the full check of that migration; a contract violation in it: invalid);
    --readiness-only gives check's readiness-only report."""
    raw = variants()[name]
    detail = audit_item(SourceItem(name, None, raw), lang="en", engine="python", readiness_only=readiness_only)
    expected = pipeline.check(raw, lang="en", engine="python", readiness_only=readiness_only)
    assert detail["verdict"] == expected.verdict
    assert json.dumps(detail["report"], ensure_ascii=False, indent=2) + "\n" == expected.to_json()
    if name == "code-sent-without-date.json" and not readiness_only:
        assert detail["verdict"] == "invalid" and detail["office"] == "ADV01"
        assert detail["administrations"] is None and detail["blocked_administrations"] is None
    if expected.context is not None:
        assert detail["administrations"] == len(expected.context.administrations)
        assert detail["office"] == expected.context.source_office.code


def test_movable_counts_the_batches_of_the_report() -> None:
    """can_start_now, the proposed migrations and the administrations ready, after fixes, never."""
    raw = (EXAMPLES / "audit-office.json").read_bytes()
    detail = audit_item(SourceItem("a.json", None, raw), lang="en", engine="python")
    batches = detail["report"]["batches"]
    assert detail["movable"] == {
        "can_start_now": batches["can_start_now"], "migrations": len(batches["ready"]),
        "ready": sum(map(len, batches["ready"])), "after_fixes": len(batches["after_fixes"]),
        "cannot_move": len(batches["cannot_move"]),
    }
    assert detail["movable"]["ready"] + detail["movable"]["after_fixes"] + detail["movable"]["cannot_move"] == \
        detail["administrations"]


def test_parse_errors_of_a_json_lines_snapshot_name_the_line_of_the_file() -> None:
    """Line 7 of the file, column as in the line — not line 1 of the snapshot."""
    detail = audit_item(SourceItem("exports/a.jsonl", 7, b'{"snapshot_version": 1,'), lang="en", engine="python")
    assert detail["verdict"] == "invalid" and detail["report"]["errors"][0]["line"] == 7
