"""The README's example command prints exactly what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import run_preflight

ROOT = Path(__file__).resolve().parent.parent


def test_readme_console_example_is_true():
    """The `preflight check` shown in the README gives that output and exit status."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ \.venv/bin/preflight (.+?)\n(.*?)\$ echo \$\?\n(\d+)\n```", readme, re.S)
    assert block, "README lost its console example"
    args, output, status = block.group(1).split(), block.group(2), int(block.group(3))
    result = run_preflight(*args)
    assert result.stdout.decode() == output
    assert result.returncode == status


def test_readme_keeps_the_two_setup_commands():
    """`make run` and `make test` are the documented set-up."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
