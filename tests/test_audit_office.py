"""preflight.audit.office: whatever goes wrong with one snapshot becomes that office's own result."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from preflight.audit import office
from preflight.audit.office import audit_item, audit_outcome
from preflight.audit.outputs import FORMATS
from preflight.audit.sources import SourceItem
from preflight.demo_data import generate

LINE = next(iter(generate(1, seed=3)))


def item(raw: str = LINE) -> SourceItem:
    return SourceItem("exports/a.jsonl", 7, raw.encode("utf-8"))


def test_a_loader_that_raises_anything_gives_a_failed_office_with_its_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only the loader's own errors: any exception is reported as this office's failure."""

    def broken_loader(raw: bytes, **options: Any) -> Any:
        raise ValueError("surrogates not allowed")

    monkeypatch.setattr(office, "load_snapshot", broken_loader)
    detail = audit_item(item(), lang="en", engine="python")
    assert (detail["verdict"], detail["source"], detail["line"]) == ("failed", "exports/a.jsonl", 7)
    assert detail["failure"] == "the snapshot could not be read: ValueError: surrogates not allowed"


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
