"""Shared fixtures: paths, and running the real `preflight` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

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
