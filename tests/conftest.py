"""Shared fixtures: paths, the `preflight` command run in-process, and the durable engine's availability."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import settings

from preflight import pipeline
from preflight.pipeline import engine_unavailable
from preflight.report import Report
from preflight.resources import load_schema

from .in_process import CliResult, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Hypothesis: derandomized on CI so a run is reproducible; random locally to explore more.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

#: durable-rules is installed only where it builds (not on Python 3.13); tests of it skip elsewhere.
DURABLE_MISSING = engine_unavailable("durable")
needs_durable = pytest.mark.skipif(DURABLE_MISSING is not None, reason=DURABLE_MISSING or "")
#: Every evaluator as a test parameter, the durable one skipped where it cannot run.
ENGINE_PARAMS = ["compiled", pytest.param("durable", marks=needs_durable), "python"]


@pytest.fixture()
def without_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as on Python 3.13: durable-rules cannot be found (it is not imported either way)."""
    import preflight.pipeline

    real = preflight.pipeline.find_spec
    monkeypatch.setattr(preflight.pipeline, "find_spec", lambda name: None if name == "durable_rules_engine" else real(name))


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture()
def cli() -> Callable[..., CliResult]:
    """``cli("check", "examples/ready.json")`` → CliResult: `preflight` run in-process from the project folder."""
    return run_cli


@pytest.fixture(autouse=True, scope="session")
def _every_report_follows_the_schema():
    """Every report the tests build — through the pipeline or serialised anywhere — validates
    against schemas/report.schema.json (v2); a report that does not fails the test that made it."""
    validator = jsonschema_rs.validator_for(load_schema("report.schema.json"))
    to_dict = Report.to_dict

    def checked(self):
        out = to_dict(self)
        validator.validate(out)
        return out

    def validated(build):
        def wrapper(*args, **kwargs):
            report = build(*args, **kwargs)
            report.to_dict()
            return report

        return wrapper

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Report, "to_dict", checked)
        patch.setattr(pipeline, "build_report", validated(pipeline.build_report))
        patch.setattr(pipeline, "invalid_report", validated(pipeline.invalid_report))
        yield
