"""The ``preflight`` command: a thin entry point over the pipeline (parse arguments, wire, exit).

Exit status: 0 ready, 1 blocked, 2 invalid input or a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Sequence
from typing import IO

from . import __version__
from .activation import EngineError
from .audit.cli import register_commands as register_audit_commands
from .help_format import HelpFormatter
from .pipeline import DEFAULT_ENGINE, ENGINES, LANGUAGES, check, engine_unavailable
from .renderers import RENDERERS
from .rule_docs import rules_markdown
from .rule_examples import run_all
from .rulebook import RulesInvalid, default_rulebook
from .snapshot_loader import MAX_SNAPSHOT_BYTES
from .snapshot_template import register_command as register_snapshot_template
from .vocabulary import EXIT_STATUS

EXIT_USAGE = 2
#: What each `rules` action can print, its default first.
RULES_FORMATS = {"list": ["table", "json", "markdown"], "test": ["text", "json"]}


CHECK_EXAMPLES = """\
examples:
  preflight check examples/blocked.yaml --lang en      read the report
  preflight check snapshot.json --format json > report.json
  preflight check - --format markdown < snapshot.yaml  for a support ticket

exit status: 0 ready, 1 blocked, 2 invalid snapshot or usage error
"""

RULES_EXAMPLES = """\
actions:
  list   print the loaded rules (the default): id, severity, mode (A audit, M migration),
         scope and FAQ question; --format table (default), json or markdown (docs/rules.md)
  test   run every rule's examples on every engine and print the failures, then
         'N passed, N failed'; --format text (default) or json; exit status 1 if any failed

examples:
  preflight rules                      the table
  preflight rules list --format json   every rule with its condition, messages and remedies
  preflight rules test                 after editing rules/*.yaml
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Says whether a Basecone external migration may start, and what blocks it.",
        epilog="Run `preflight COMMAND --help` for a command's options and examples.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"preflight {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check one snapshot (exit 0 ready, 1 blocked, 2 invalid)",
        description="Check one snapshot (JSON or YAML, told apart by content) against every rule and print "
        "the report: the verdict first, then each finding with its remedy and FAQ question. The snapshot "
        "contract is schemas/snapshot.schema.json.",
        epilog=CHECK_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    check.add_argument("file", metavar="FILE|-", help="snapshot file (JSON or YAML), - for standard input")
    check.add_argument("--format", choices=sorted(RENDERERS), default="text",
                       help="text for people (default), json (the report contract), junit (a failure per "
                       "blocking finding) or markdown (for a ticket)")
    check.add_argument("--lang", choices=LANGUAGES, default="nl",
                       help="language of messages and remedies: nl (default) or en")
    check.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                       help=f"rule evaluator: {', '.join(ENGINES)} (default: {DEFAULT_ENGINE}); they give the "
                       "same report; cross-check runs compiled and a second engine, any difference an error (exit 2)")

    rules = commands.add_parser(
        "rules",
        help="list the rules, or run their examples (rules test)",
        description="List the loaded rules (rules/*.yaml, or $PREFLIGHT_RULES_DIR), or run the examples "
        "every rule carries.",
        epilog=RULES_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    rules.add_argument("action", nargs="?", choices=["list", "test"], default="list",
                       help="list (default) or test")
    rules.add_argument("--format", choices=RULES_FORMATS["list"] + RULES_FORMATS["test"][:1], default=None,
                       help="list: table (default), json or markdown; test: text (default) or json")

    register_audit_commands(commands)
    register_snapshot_template(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point."""
    parser = build_parser()
    args = parser.parse_args(argv)
    unavailable = engine_unavailable(getattr(args, "engine", DEFAULT_ENGINE))
    if unavailable:  # e.g. --engine durable on Python 3.13: a usage error, exit status 2
        parser.error(unavailable)
    try:
        return int(args.handler(args)) if hasattr(args, "handler") else _run(args)
    except RulesInvalid as err:
        print("preflight: the rule files are broken:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return run_check(args.file, args.format, args.lang, args.engine, sys.stdout)
    fmt = args.format or RULES_FORMATS[args.action][0]
    if fmt not in RULES_FORMATS[args.action]:
        print(f"preflight rules {args.action}: --format {fmt} is not available; use "
              f"{', '.join(RULES_FORMATS[args.action])}", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "test":
        return run_rules_test(sys.stdout, fmt)
    return run_rules_list(fmt, sys.stdout)


def run_check(path: str, fmt: str, lang: str, engine: str, out: IO[str]) -> int:
    """Check one snapshot and print its report; returns the exit status."""
    try:
        raw, size = _read(path)
    except OSError as err:
        print(f"preflight: cannot read {path}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = check(raw, lang=lang, engine=engine, size=size)
    except EngineError as err:  # e.g. the cross-check found the engines disagree: never a silent pick
        print(f"preflight: {err}", file=sys.stderr)
        return EXIT_USAGE
    colour = fmt == "text" and out.isatty() and "NO_COLOR" not in os.environ
    out.write(RENDERERS[fmt](report, colour=colour))
    return EXIT_STATUS[report.verdict]


def _read(path: str) -> tuple[bytes, int | None]:
    """At most one byte past the size bound (so the loader can say the input is too large), and
    the whole size when the input is a regular file (so it can say how large)."""
    if path == "-":
        return sys.stdin.buffer.read(MAX_SNAPSHOT_BYTES + 1), None
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        size = status.st_size if stat.S_ISREG(status.st_mode) else None
        return handle.read(MAX_SNAPSHOT_BYTES + 1), size


def run_rules_list(fmt: str, out: IO[str]) -> int:
    """Print the loaded rules as a table or JSON."""
    rules = default_rulebook().rules
    if fmt == "json":
        out.write(json.dumps([r.to_dict() for r in rules], ensure_ascii=False, indent=2) + "\n")
        return 0
    if fmt == "markdown":
        out.write(rules_markdown(default_rulebook()))
        return 0
    width = max(len(r.id) for r in rules)
    out.write(f"{'ID':<{width}}  SEVERITY  MODE  SCOPE                     FAQ\n")
    for r in rules:
        out.write(f"{r.id:<{width}}  {r.severity:<8}  {r.catalogue_mode():<4}  {r.scope:<24}  {r.faq}\n")
    return 0


def run_rules_test(out: IO[str], fmt: str = "text") -> int:
    """Run every rule's examples on every engine; text ends with 'N passed, N failed'."""
    results = run_all(default_rulebook())
    failed = [r for r in results if not r.passed]
    if fmt == "json":
        document = {
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "results": [
                {"rule": r.rule.id, "example": r.example.name, "engine": r.engine, "passed": r.passed,
                 "expected": sorted(r.expected), "actual": sorted(r.actual), "errors": list(r.errors)}
                for r in results
            ],
        }
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return 1 if failed else 0
    for result in failed:
        out.write(f"FAIL {result.describe()}\n")
    out.write(f"{len(results) - len(failed)} passed, {len(failed)} failed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
