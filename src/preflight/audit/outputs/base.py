"""What every output format shares: the writer skeleton and the all-or-nothing destination."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, BinaryIO

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

    def __init__(
        self, dest: IO[str], lang: str, rulebook: RuleBook, spool_dir: str | None = None, slot: int | None = None
    ) -> None:
        self.dest = dest
        self.lang = lang
        self.rulebook = rulebook
        self.slot = slot  # None: the --format output (outcome.fragment); else outcome.extra_fragments[slot]
        self.body: IO[str] = dest
        if self.spool:  # closed in close()
            self.body = tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=spool_dir)  # noqa: SIM115
        self.count = 0

    def begin(self) -> None:
        """Called once before the first office (writers that do not spool write their head here)."""

    def fragment(self, outcome: OfficeOutcome) -> str:
        """This output's piece of one office."""
        return outcome.fragment if self.slot is None else outcome.extra_fragments[self.slot]

    def add(self, outcome: OfficeOutcome) -> None:
        """One office, in input order."""
        fragment = self.fragment(outcome)
        if fragment:
            self.body.write(fragment)
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
def atomic_file(path: str) -> Iterator[BinaryIO]:
    """A new file, written through the handle yielded, that appears at ``path`` complete when the
    block ends normally, and not at all when it raises (also on Ctrl-C).

    On Linux the file has no name while it is written (``O_TMPFILE``) and is linked into place
    at the end, so nothing is left behind even when the process is killed outright (SIGKILL,
    power loss): the kernel drops a nameless file when its last descriptor closes. Where that
    is not available (another OS, a file system without it) it is a hidden temporary file
    beside ``path``, renamed at the end and removed on an error.
    """
    folder = os.path.dirname(os.path.abspath(path))
    anonymous = _anonymous_file(folder)
    if anonymous is None:
        with _named_temporary(path) as handle:
            yield handle
        return
    with os.fdopen(anonymous, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        _link_into_place(handle.fileno(), folder, path)


def _anonymous_file(folder: str) -> int | None:
    """A descriptor of a new nameless file in ``folder`` that can be linked later, or None."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as err:
        if err.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):  # not on this file system
            return None
        raise


def _link_into_place(fd: int, folder: str, path: str) -> None:
    """Give the nameless file ``fd`` the name ``path``, replacing what is there.

    A new name is one ``linkat``; an existing file is replaced by linking to a hidden temporary
    name and renaming that over it (there is no atomic link-over), which leaves that name
    behind only if the process is killed between these two system calls."""
    source = f"/proc/self/fd/{fd}"
    directory = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        name = os.path.basename(path)
        try:
            # dst_dir_fd makes this linkat(2) with AT_SYMLINK_FOLLOW, which links the file the
            # descriptor stands for (link(2) would try to link the /proc entry itself).
            os.link(source, name, dst_dir_fd=directory, follow_symlinks=True)
            return
        except FileExistsError:
            pass
        temporary = _temporary_name(path)
        os.link(source, os.path.basename(temporary), dst_dir_fd=directory, follow_symlinks=True)
        try:
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    finally:
        os.close(directory)


@contextmanager
def _named_temporary(path: str) -> Iterator[BinaryIO]:
    """The fallback: a hidden file beside ``path``, renamed over it at the end, removed on error."""
    temporary = _temporary_name(path)
    try:
        with open(temporary, "xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):  # nothing was created yet
            os.unlink(temporary)
        raise


def _temporary_name(path: str) -> str:
    folder = os.path.dirname(os.path.abspath(path))
    return os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")


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
        with _utf8_over(buffer) as stream:  # standard output stays open
            yield stream
        return
    with atomic_file(path) as raw, _utf8_over(raw) as stream:
        yield stream


@contextmanager
def _utf8_over(raw: IO[bytes]) -> Iterator[IO[str]]:
    """A UTF-8 text stream over ``raw``, flushed at the end and detached, so ``raw`` stays open."""
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()


def spool_dir_for(path: str | None) -> str | None:
    """Spool beside the output file (where there is room for it), else in the default temp dir."""
    if path is None or path == "-":
        return None
    return os.path.dirname(os.path.abspath(path))
