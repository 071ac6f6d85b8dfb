"""The README's example command prints exactly what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import run_preflight

ROOT = Path(__file__).resolve().parent.parent


def test_readme_console_examples_are_true():
    """Every `preflight check` shown in the README gives that output and exit status."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ \.venv/bin/preflight (check .+?)\n(.*?)\$ echo \$\?\n(\d+)\n```", readme, re.S)
    assert len(blocks) >= 2, "README lost its console examples"
    for command, output, status in blocks:
        result = run_preflight(*command.split())
        assert result.stdout.decode() == output, command
        assert result.returncode == int(status), command


def test_readme_keeps_the_two_setup_commands():
    """`make run` and `make test` are the documented set-up."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
