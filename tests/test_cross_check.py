"""--engine cross-check: two engines on every snapshot, any difference a clear error, never a pick."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.audit.office import audit_item
from preflight.audit.sources import SourceItem
from preflight.cli import main
from preflight.cross_check import CrossCheckFailed, first_difference
from preflight.pipeline import available_engines, check, get_engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("a", "b", "path", "value"), [
    ({"x": [1, {"y": "a"}]}, {"x": [1, {"y": "b"}]}, "/x/1/y", "a"),
    ({"x": [1, 2]}, {"x": [1]}, "/x/1", 2),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, "/", "keys in the order ['a', 'b']"),
    ({"a": 1}, {"a": True}, "/a", 1),
    ({"a/b": 1}, {"a/b": 2}, "/a~1b", 1),
])
def test_the_first_difference_is_named_by_its_json_pointer(a, b, path, value):
    """Values, list lengths, key order and types (1 is not true) all count; paths are JSON pointers."""
    assert first_difference(a, b)[:2] == (path, value)
    assert first_difference(a, a) is None


@pytest.fixture()
def disagreeing(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The cross-check's second engine adds a word to its first finding's message."""
    cross = get_engine("cross-check")
    real = cross.second.findings

    def altered(snapshot: Any, phase: Any, lang: str) -> Any:
        found = real(snapshot, phase, lang)
        return [found[0]._replace(message=found[0].message + " anders"), *found[1:]] if found else found

    monkeypatch.setattr(cross.second, "findings", altered)
    return cross


def test_the_cross_check_uses_durable_where_it_runs_else_the_interpreter():
    """The second engine is durable-rules where it imports, else the Python interpreter."""
    cross = get_engine("cross-check")
    assert cross.primary.name == "compiled"
    assert cross.second.name == ("durable" if "durable" in available_engines() else "python")


def test_agreeing_engines_give_the_compiled_report(capsys):
    """Without a difference the report is the compiled engine's, byte for byte."""
    assert main(["check", "examples/blocked.yaml", "--engine", "cross-check", "--format", "json"]) == 1
    crossed = capsys.readouterr().out
    assert main(["check", "examples/blocked.yaml", "--format", "json"]) == 1
    assert crossed == capsys.readouterr().out


def test_a_disagreement_is_exit_2_naming_the_first_differing_field(disagreeing, capsys):
    """CLI: exit status 2 and a message with the field and both values; no report on stdout."""
    assert main(["check", "examples/blocked.yaml", "--engine", "cross-check", "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "engines disagree at /findings/" in err and "/message" in err and "anders" in err


def test_in_an_audit_a_disagreement_makes_that_office_failed(disagreeing):
    """Audit: the office on which the engines disagree is 'failed', with the difference as reason."""
    raw = (ROOT / "examples" / "audit-office.json").read_bytes()
    detail = audit_item(SourceItem("audit-office.json", None, raw), lang="en", engine="cross-check")
    assert detail["verdict"] == "failed"
    assert "CrossCheckFailed" in detail["failure"] and "disagree at /findings/" in detail["failure"]


def test_an_engine_error_under_cross_check_is_a_cross_check_failure(monkeypatch):
    """When the second engine cannot evaluate a snapshot, the cross-check fails — it does not fall
    back on the first engine's answer."""
    from preflight.activation import EngineError

    cross = get_engine("cross-check")

    def refuses(*args: Any) -> Any:
        raise EngineError("cannot read this")

    monkeypatch.setattr(cross.second, "findings", refuses)
    snapshot = json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8"))
    with pytest.raises(CrossCheckFailed, match="could not evaluate the snapshot: cannot read this"):
        check(snapshot, engine="cross-check")
