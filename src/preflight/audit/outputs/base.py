"""What every output format shares: the writer skeleton and the all-or-nothing destination."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from ...rulebook import RuleBook
from ..office import OfficeOutcome
from ..summary import AuditSummary


class Writer:
    """Receives the offices in input order, then the summary; writes one output to ``dest``.

    With ``spool`` (the default) the fragments go to an anonymous temporary file in
    ``spool_dir`` until :meth:`end`, which writes the head (that needs the summary), the
    fragments and the foot.
    """

    spool = True

    def __init__(self, dest: IO[str], lang: str, rulebook: RuleBook, spool_dir: str | None = None) -> None:
        self.dest = dest
        self.lang = lang
        self.rulebook = rulebook
        self.body: IO[str] = dest
        if self.spool:  # closed in close()
            self.body = tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=spool_dir)  # noqa: SIM115
        self.count = 0

    def begin(self) -> None:
        """Called once before the first office (writers that do not spool write their head here)."""

    def add(self, outcome: OfficeOutcome) -> None:
        """One office, in input order."""
        if outcome.fragment:
            self.body.write(outcome.fragment)
        self.count += 1

    def end(self, summary: AuditSummary) -> None:
        """Called once after the last office."""
        self.write_head(summary)
        if self.spool:
            self.body.flush()
            self.body.seek(0)
            shutil.copyfileobj(self.body, self.dest, 1 << 16)
        self.write_foot(summary)

    def write_head(self, summary: AuditSummary) -> None:
        """What comes before the offices."""

    def write_foot(self, summary: AuditSummary) -> None:
        """What comes after the offices."""

    def close(self) -> None:
        """Drop the spool file."""
        if self.spool:
            self.body.close()


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """A temporary name beside ``path``; renamed to ``path`` when the block ends normally, removed
    when it raises (also on Ctrl-C), so ``path`` is never a half-written file."""
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):  # nothing was created yet
            os.unlink(temporary)
        raise


@contextmanager
def destination(path: str | None) -> Iterator[IO[str]]:
    """A UTF-8 text stream for the output: standard output, or (all or nothing) ``path``."""
    if path is None or path == "-":
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a stand-in without bytes underneath (e.g. captured in tests)
            yield sys.stdout
            sys.stdout.flush()
            return
        sys.stdout.flush()
        stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()  # standard output stays open
        return
    with atomic_path(path) as temporary, open(temporary, "x", encoding="utf-8", newline="") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def spool_dir_for(path: str | None) -> str | None:
    """Spool beside the output file (where there is room for it), else in the default temp dir."""
    if path is None or path == "-":
        return None
    return os.path.dirname(os.path.abspath(path))
