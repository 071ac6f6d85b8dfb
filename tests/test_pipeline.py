"""The pipeline's engines: the default, the names, and a clear error for one that cannot run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from preflight import pipeline
from preflight.pipeline import DEFAULT_ENGINE, ENGINES, EngineUnavailable, check, get_engine

ROOT = Path(__file__).resolve().parent.parent


def test_the_compiled_engine_is_the_default():
    """compiled is the default everywhere; the four engine names are known."""
    assert DEFAULT_ENGINE == "compiled"
    assert ENGINES == ("compiled", "durable", "python", "cross-check")
    assert get_engine().name == "compiled"


@pytest.fixture()
def durable_missing(monkeypatch: pytest.MonkeyPatch):
    """As on Python 3.13: durable-rules cannot be imported."""
    get_engine.cache_clear()
    monkeypatch.setitem(sys.modules, "durable_rules_engine", None)  # import now raises ImportError
    monkeypatch.delitem(sys.modules, "preflight.engine_durable", raising=False)
    yield
    get_engine.cache_clear()


def test_an_engine_that_cannot_import_is_a_clear_error(durable_missing):
    """--engine durable where durable-rules does not import: EngineUnavailable saying so, not an
    ImportError; the cross-check falls back on the interpreter."""
    snapshot = json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8"))
    with pytest.raises(EngineUnavailable, match="engine 'durable' is not available"):
        check(snapshot, engine="durable")
    assert pipeline.get_engine("cross-check").second.name == "python"
    assert check(snapshot, engine="cross-check").verdict == "ready"


def test_the_cli_says_so_with_exit_status_2(durable_missing, cli):
    """The CLI reports the unavailable engine on stderr with exit status 2 (a usage error)."""
    result = cli("check", "examples/ready.json", "--engine", "durable")
    assert result.status == 2
    assert "engine 'durable' is not available" in result.stderr and result.stdout == ""
