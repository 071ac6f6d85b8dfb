"""The README's examples print exactly what the README shows (`make readme` rewrites them)."""

from __future__ import annotations

import re
from pathlib import Path

from .regenerate import stale

ROOT = Path(__file__).resolve().parent.parent


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_transcripts_print_what_the_readme_shows():
    """Each `$ .venv/bin/preflight …` (and the curl of the API) shown in the README prints that output and exit status."""
    problems = stale("readme")
    assert not problems, "\n\n".join(problems)


def test_readme_shows_a_check_and_an_audit_with_their_exit_status():
    """The transcripts replayed above include `preflight check`, `preflight audit` and `echo $?`."""
    commands = re.findall(r"^\$ (\.venv/bin/preflight \S+|echo \$\?)", readme(), re.M)
    assert {".venv/bin/preflight check", ".venv/bin/preflight audit", "echo $?"} <= set(commands)


def test_readme_keeps_the_two_setup_commands():
    """`make run` and `make test` are the documented set-up, and it says how to put `preflight` on PATH."""
    text = readme()
    assert "make run" in text and "make test" in text
    assert "source .venv/bin/activate" in text
