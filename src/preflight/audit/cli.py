"""The ``audit`` and ``demo-data`` commands, registered on the core CLI's subcommands.

``preflight audit PATH…`` exit status (with ``--fail-on``, default ``blocked``):

- 0: the audit finished and nothing reached the threshold;
- 1: some office is blocked (``blocked``), or has a blocking or advisory finding (``advisory``);
- 2: some snapshot was invalid or could not be checked, or a usage error (a PATH that does not
  exist, ``--out`` naming an input, an option out of its bounds, workers that cannot start).
  ``--fail-on never`` gives 0 for every finished audit;
- 130: interrupted (Ctrl-C, SIGTERM), at any moment: no output file, no traceback.
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

from ..help_format import HelpFormatter
from ..pipeline import DEFAULT_ENGINE, ENGINES, LANGUAGES

if TYPE_CHECKING:  # the audit's machinery is imported when an audit runs, not by every command
    from .progress import Progress
    from .summary import AuditSummary

EXIT_OK, EXIT_THRESHOLD, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
FAIL_ON = ("blocked", "advisory", "never")
#: Most worker processes: 4 per CPU (workers are CPU-bound: beyond the CPU count they add only
#: memory, about 50 MB each, and start-up time), and never more than 64.
WORKERS_PER_CPU, MAX_WORKERS = 4, 64
#: Seconds a snapshot may take in its worker (``--timeout``), and the most that may be set.
DEFAULT_TIMEOUT, MAX_TIMEOUT = 30.0, 24 * 3600.0
#: The output formats (preflight.audit.outputs.FORMATS; a test keeps the two in step).
FORMAT_NAMES = ("text", "json", "csv", "html")


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def max_workers() -> int:
    """The most ``--workers`` accepted here: 4 per CPU, at most 64."""
    return min(MAX_WORKERS, WORKERS_PER_CPU * default_workers())


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


AUDIT_EXAMPLES = """\
examples:
  preflight audit exports/ --lang en                    the summary, in English
  preflight audit offices.jsonl.gz --format html --out audit.html
  preflight audit - --format csv < offices.jsonl > findings.csv

exit status (--fail-on): 0 nothing at the threshold, 1 an office blocked (or with an
advisory finding), 2 a snapshot invalid or failed, or a usage error
"""

DEMO_EXAMPLES = """\
examples:
  preflight demo-data --offices 200 --seed 1 --invalid 0.01 --out offices.jsonl.gz
  preflight demo-data --offices 3 | head -c 300
"""


def register_commands(commands: Any) -> None:
    """Add ``audit`` and ``demo-data`` to the core CLI's subparsers."""
    audit = commands.add_parser(
        "audit",
        help="audit many snapshots: files, folders, JSON Lines (.gz too), - for standard input",
        description="Check every administration of every office in the snapshots given (audit "
        "mode: snapshots without a migration) and summarise what must be cleared first.",
        epilog=AUDIT_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    audit.add_argument("paths", nargs="+", metavar="PATH",
                       help="snapshot file, folder (searched recursively), JSON Lines file, or -")
    audit.add_argument("--format", choices=FORMAT_NAMES, default="text",
                       help="text summary (default), json (totals and every report), csv (a row per "
                       "finding) or html (one self-contained page)")
    audit.add_argument("--out", metavar="FILE",
                       help="write here (complete or not at all) instead of standard output (default)")
    audit.add_argument("--workers", type=int, default=default_workers(), metavar="N",
                       help=f"worker processes (default: the CPU count, %(default)s here; at most "
                            f"{WORKERS_PER_CPU} per CPU and {MAX_WORKERS} in all, {max_workers()} here)")
    audit.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help="time a snapshot may take; one that takes longer is reported as failed "
                            "(default: %(default)g)")
    audit.add_argument("--lang", choices=LANGUAGES, default="nl",
                       help="language of the summary and messages: nl (default) or en")
    audit.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                       help=f"rule evaluator: {', '.join(ENGINES)} (default: {DEFAULT_ENGINE}); cross-check: an "
                       "office on which the engines disagree is listed as failed, with the first difference")
    audit.add_argument("--fail-on", choices=FAIL_ON, default="blocked",
                       help="what makes the exit status non-zero: blocked (default: an office is blocked), "
                       "advisory (also an advisory finding) or never")
    audit.add_argument("--quiet", action="store_true",
                       help="no progress line (default: progress on standard error when it is a terminal)")
    audit.set_defaults(handler=_audit_handler)

    demo = commands.add_parser(
        "demo-data",
        help="write synthetic audit snapshots as JSON Lines (the same for the same seed)",
        description="Write synthetic offices, one audit snapshot (JSON, no migration) a line: realistic "
        "sizes and problems, the same bytes for the same --offices, --seed and --invalid. Demo data "
        "for trying `preflight audit` and for benchmarks.",
        epilog=DEMO_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    demo.add_argument("--offices", type=_positive, default=100, metavar="N",
                      help="how many offices, one line each (default %(default)s)")
    demo.add_argument("--seed", type=int, default=1, metavar="S",
                      help="random seed: the same seed gives the same offices (default %(default)s)")
    demo.add_argument("--invalid", type=_fraction, default=0.0, metavar="FRACTION",
                      help="share of lines broken on purpose, between 0 and 1: not JSON, or against the "
                      "contract (default 0: none)")
    demo.add_argument("--out", metavar="FILE",
                      help="write here instead of standard output (default); a name ending in .gz is compressed")
    demo.set_defaults(handler=_demo_handler)


def _audit_handler(args: argparse.Namespace) -> int:
    return run_audit(
        args.paths, fmt=args.format, out=args.out, workers=args.workers, lang=args.lang,
        engine=args.engine, fail_on=args.fail_on, quiet=args.quiet, timeout=args.timeout,
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
    timeout: float = DEFAULT_TIMEOUT,
    stderr: IO[str] | None = None,
) -> int:
    """Audit ``paths`` and write the ``fmt`` output; returns the exit status."""
    stderr = stderr or sys.stderr
    shown: list[Progress] = []  # the progress line, once there is one (to clear it)
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        return _audit(paths, fmt, out, workers, lang, engine, fail_on, quiet, timeout, stderr, shown)
    except KeyboardInterrupt:  # at any moment: the output file (if any) was never linked in
        _clear(shown)
        print("preflight audit: interrupted; no output written", file=stderr, flush=True)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _audit(
    paths: Sequence[str], fmt: str, out: str | None, workers: int | None, lang: str, engine: str,
    fail_on: str, quiet: bool, timeout: float, stderr: IO[str], shown: list[Progress],
) -> int:
    from ..neutralise import for_terminal
    from ..rulebook import default_rulebook
    from .outputs import FORMATS, destination
    from .outputs.base import spool_dir_for
    from .progress import Progress
    from .runner import AuditRunner, RunnerError, WorkerConfig
    from .sources import read_items, total_bytes
    from .summary import AuditSummary

    def say(message: str, *, last: bool = False) -> None:
        """A line on standard error (file names in it made safe); above the progress line while
        the audit runs, in its place at the end (``last``)."""
        text = for_terminal(f"preflight audit: {message}")
        if shown and not last:
            shown[0].notice(text)
        else:
            _clear(shown)
            print(text, file=stderr, flush=True)

    workers = default_workers() if workers is None else workers
    usage_error = _usage_error(paths, out, workers, timeout)
    if usage_error is not None:
        say(usage_error)
        return EXIT_INPUT
    rulebook = default_rulebook()
    summary = AuditSummary.for_rulebook(rulebook, lang)
    if not quiet and stderr.isatty():
        shown.append(Progress(stderr, total_bytes(paths), lang))
    progress = shown[0] if shown else None
    runner = AuditRunner(WorkerConfig(lang, engine, fmt), workers, notify=say, timeout=timeout)
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
        say(str(err), last=True)
        return EXIT_INPUT
    except BrokenPipeError:
        raise  # standard output closed early (e.g. `| head`): the core CLI ends quietly
    except OSError as err:  # the output cannot be written (reading problems are items instead)
        say(f"cannot write {out or 'the output'}: {err.strerror or err}", last=True)
        return EXIT_INPUT
    if progress:
        progress.finish()
    if summary.offices == 0:
        say("no snapshots found", last=True)
    return exit_status(summary, fail_on)


def _usage_error(paths: Sequence[str], out: str | None, workers: int, timeout: float) -> str | None:
    """What is wrong with the arguments, checked before anything is read; None when all is well."""
    from .sources import STDIN, MissingPath, check_paths, same_file_as

    most = max_workers()
    if not 1 <= workers <= most:
        return (f"--workers {workers}: must be between 1 and {most} ({WORKERS_PER_CPU} per CPU, "
                f"{default_workers()} CPUs here, and at most {MAX_WORKERS})")
    if not 0 < timeout <= MAX_TIMEOUT:  # NaN fails too
        return f"--timeout {timeout:g}: must be more than 0 and at most {MAX_TIMEOUT:g} seconds"
    try:
        check_paths(paths)
    except MissingPath as err:
        return str(err)
    if list(paths).count(STDIN) > 1:
        return "standard input (-) can be read only once"
    if out is not None and out != STDIN:
        if os.path.isdir(out):
            return f"--out {out}: is a folder; name the file to write"
        same = same_file_as(out, paths)
        if same is not None:
            shown = "" if same == out else f" (as {same})"
            return f"--out {out}: is one of the inputs{shown}; writing it would destroy it"
    return None


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


def _clear(shown: list[Progress]) -> None:
    for progress in shown:
        progress.clear()


def _demo_handler(args: argparse.Namespace) -> int:
    return write_demo_data(args.offices, args.seed, args.out, args.invalid)


def write_demo_data(offices: int, seed: int, out: str | None, invalid: float = 0.0) -> int:
    """Write the demo snapshots to ``out`` (gzip when it ends in .gz) or standard output."""
    from ..demo_data import generate
    from .outputs import destination
    from .outputs.base import atomic_file

    lines = generate(offices, seed, invalid)
    if out is not None and out.endswith(".gz"):
        with atomic_file(out) as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            for line in lines:
                packed.write(line.encode("utf-8") + b"\n")
        return EXIT_OK
    with destination(out) as dest:
        for line in lines:
            dest.write(line + "\n")
    return EXIT_OK
