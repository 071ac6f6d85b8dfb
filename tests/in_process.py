"""`preflight ARGS` run in this process, as the tests and `make readme` run it."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from preflight.cli import main
from preflight.pipeline import get_engine
from preflight.rulebook import default_rulebook

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliResult:
    """What a user sees of one `preflight` command: exit status, standard output and error."""

    status: int
    stdout: str
    stderr: str


def run_cli(
    *args: str,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stderr: IO[str] | None = None,
) -> CliResult:
    """Run ``preflight ARGS`` in this process through :func:`preflight.cli.main`.

    Standard input, output and error, the environment and the working folder are set for the
    call only; the caches that depend on the environment (the rule book, the engines) are emptied
    around a call that changes it. Neither output is a terminal, unless ``stderr`` is one (its text
    is then not in the result).
    """
    out, err = io.StringIO(), io.StringIO()
    saved_env = {name: os.environ.get(name) for name in env or {}}
    saved_stdin, saved_cwd = sys.stdin, Path.cwd()
    os.environ.update(env or {})
    if env:
        _forget_rules()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    os.chdir(cwd or ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(stderr or err):
            try:
                status = main(list(args))
            except SystemExit as done:  # argparse: --help, --version and usage errors
                status = done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    finally:
        os.chdir(saved_cwd)
        sys.stdin = saved_stdin
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if env:
            _forget_rules()
    return CliResult(status, out.getvalue(), err.getvalue())


def _forget_rules() -> None:
    default_rulebook.cache_clear()
    get_engine.cache_clear()
