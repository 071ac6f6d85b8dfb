"""The ``preflight`` command (and ``python -m preflight``): the core CLI, quiet when interrupted.

Only the package's ``__init__`` and this module (which imports nothing more, on purpose) run
before the CLI's imports do, so a Ctrl-C at any moment after Python itself has started — while
the imports run, the rules load or an audit starts — ends the command with "interrupted" and
exit status 130, never a traceback. (Commands that handle the interruption themselves, like
``audit``, say more and return 130 on their own.)
"""

import sys

EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Run the core CLI; Ctrl-C at any moment is exit status 130 and one line on standard error."""
    try:
        from .cli import main as cli_main

        return cli_main(argv)
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
