"""Shared fixtures: paths, and running the real `preflight` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import settings

from preflight import pipeline
from preflight.report import Report
from preflight.resources import load_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Hypothesis: derandomized on CI so a run is reproducible; random locally to explore more.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


def run_preflight(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m preflight.cli ARGS` as a user would run `preflight ARGS`."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "preflight.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=full_env,
        timeout=120,
        check=False,
    )


@pytest.fixture()
def preflight_cmd():
    return run_preflight


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
