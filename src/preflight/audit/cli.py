"""The ``audit`` and ``demo-data`` commands, registered on the core CLI's subcommands.

``preflight audit PATH…`` exit status (with ``--fail-on``, default ``blocked``):

- 0: the audit finished and nothing reached the threshold;
- 1: some office is blocked (``blocked``), or has a blocking or advisory finding (``advisory``);
- 2: some snapshot was invalid or could not be checked, or a usage error (a PATH that does not
  exist, workers that cannot start). ``--fail-on never`` gives 0 for every finished audit.
"""

from __future__ import annotations

import argparse
import gzip
import os
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import closing
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from ..pipeline import DEFAULT_ENGINE, ENGINES, LANGUAGES

if TYPE_CHECKING:  # the audit's machinery is imported when an audit runs, not by every command
    from .progress import Progress
    from .summary import AuditSummary

EXIT_OK, EXIT_THRESHOLD, EXIT_INPUT = 0, 1, 2
FAIL_ON = ("blocked", "advisory", "never")
#: The output formats (preflight.audit.outputs.FORMATS; a test keeps the two in step).
FORMAT_NAMES = ("text", "json", "csv", "html")


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def register_commands(commands: Any) -> None:
    """Add ``audit`` and ``demo-data`` to the core CLI's subparsers."""
    audit = commands.add_parser(
        "audit",
        help="audit many snapshots: files, folders, JSON Lines (.gz too), - for standard input",
        description="Check every administration of every office in the snapshots given (audit "
        "mode: snapshots without a migration) and summarise what must be cleared first.",
    )
    audit.add_argument("paths", nargs="+", metavar="PATH",
                       help="snapshot file, folder (searched recursively), JSON Lines file, or -")
    audit.add_argument("--format", choices=FORMAT_NAMES, default="text")
    audit.add_argument("--out", metavar="FILE", help="write here (complete or not at all) instead of standard output")
    audit.add_argument("--workers", type=_positive, default=default_workers(), metavar="N",
                       help="worker processes (default: the CPU count, %(default)s here)")
    audit.add_argument("--lang", choices=LANGUAGES, default="nl")
    audit.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                       help=f"rule evaluator (default {DEFAULT_ENGINE}); cross-check: an office on which the "
                       "engines disagree is listed as failed, with the first difference")
    audit.add_argument("--fail-on", choices=FAIL_ON, default="blocked",
                       help="what makes the exit status non-zero (default: blocked)")
    audit.add_argument("--quiet", action="store_true", help="no progress line")
    audit.set_defaults(handler=_audit_handler)

    demo = commands.add_parser(
        "demo-data",
        help="write synthetic audit snapshots as JSON Lines (the same for the same seed)",
    )
    demo.add_argument("--offices", type=_positive, default=100, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--invalid", type=_fraction, default=0.0, metavar="FRACTION",
                      help="share of lines broken on purpose (default 0)")
    demo.add_argument("--out", metavar="FILE", help="write here instead of standard output (.gz: compressed)")
    demo.set_defaults(handler=_demo_handler)


def _audit_handler(args: argparse.Namespace) -> int:
    return run_audit(
        args.paths, fmt=args.format, out=args.out, workers=args.workers, lang=args.lang,
        engine=args.engine, fail_on=args.fail_on, quiet=args.quiet,
    )


def run_audit(
    paths: Sequence[str],
    *,
    fmt: str = "text",
    out: str | None = None,
    workers: int | None = None,
    lang: str = "nl",
    engine: str = DEFAULT_ENGINE,
    fail_on: str = "blocked",
    quiet: bool = False,
    stderr: IO[str] | None = None,
) -> int:
    """Audit ``paths`` and write the ``fmt`` output; returns the exit status."""
    from ..rulebook import default_rulebook
    from .outputs import FORMATS, destination
    from .outputs.base import spool_dir_for
    from .progress import Progress
    from .runner import AuditRunner, RunnerError, WorkerConfig
    from .sources import STDIN, MissingPath, check_paths, read_items, total_bytes
    from .summary import AuditSummary

    stderr = stderr or sys.stderr
    try:
        check_paths(paths)
    except MissingPath as err:
        print(f"preflight audit: {err}", file=stderr)
        return EXIT_INPUT
    if list(paths).count(STDIN) > 1:
        print("preflight audit: standard input (-) can be read only once", file=stderr)
        return EXIT_INPUT
    rulebook = default_rulebook()
    summary = AuditSummary.for_rulebook(rulebook, lang)
    progress = None
    if not quiet and stderr.isatty():
        progress = Progress(stderr, total_bytes(paths), lang)

    def notify(message: str) -> None:
        text = f"preflight audit: {message}"
        if progress:
            progress.notice(text)
        else:
            print(text, file=stderr, flush=True)

    runner = AuditRunner(WorkerConfig(lang, engine, fmt), workers or default_workers(), notify=notify)
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        with destination(out) as dest:
            writer = FORMATS[fmt].WRITER(dest, lang, rulebook, spool_dir_for(out))
            try:
                writer.begin()
                with closing(runner.run(read_items(paths))) as outcomes:
                    for outcome in outcomes:
                        summary.add(outcome)
                        writer.add(outcome)
                        if progress:
                            progress.update(summary.offices, outcome.done_bytes)
                writer.end(summary)
            finally:
                writer.close()
    except RunnerError as err:
        _clear(progress)
        print(f"preflight audit: {err}", file=stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        _clear(progress)
        print("preflight audit: interrupted; no output written", file=stderr)
        return 130
    except BrokenPipeError:
        raise  # standard output closed early (e.g. `| head`): the core CLI ends quietly
    except OSError as err:  # the output cannot be written (reading problems are items instead)
        _clear(progress)
        print(f"preflight audit: cannot write {out or 'the output'}: {err.strerror or err}", file=stderr)
        return EXIT_INPUT
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if progress:
        progress.finish()
    if summary.offices == 0:
        print("preflight audit: no snapshots found", file=stderr)
    return exit_status(summary, fail_on)


def exit_status(summary: AuditSummary, fail_on: str) -> int:
    """The exit status for ``--fail-on`` (see the module docstring)."""
    if fail_on == "never":
        return EXIT_OK
    if summary.invalid or summary.failed:
        return EXIT_INPUT
    if summary.verdicts["blocked"]:
        return EXIT_THRESHOLD
    if fail_on == "advisory" and summary.by_severity["advisory"]:
        return EXIT_THRESHOLD
    return EXIT_OK


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the audit like Ctrl-C does: workers stopped, no half output left."""
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _clear(progress: Progress | None) -> None:
    if progress:
        progress.clear()


def _demo_handler(args: argparse.Namespace) -> int:
    return write_demo_data(args.offices, args.seed, args.out, args.invalid)


def write_demo_data(offices: int, seed: int, out: str | None, invalid: float = 0.0) -> int:
    """Write the demo snapshots to ``out`` (gzip when it ends in .gz) or standard output."""
    from ..demo_data import generate
    from .outputs import destination
    from .outputs.base import atomic_path

    lines = generate(offices, seed, invalid)
    if out is not None and out.endswith(".gz"):
        with atomic_path(out) as temporary, open(temporary, "xb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            for line in lines:
                packed.write(line.encode("utf-8") + b"\n")
        return EXIT_OK
    with destination(out) as dest:
        for line in lines:
            dest.write(line + "\n")
    return EXIT_OK
