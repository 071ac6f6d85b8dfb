"""Step 1: turn the PATH arguments into a lazy stream of snapshots, each with where it came from.

- a file holds one snapshot (JSON or YAML), except ``*.jsonl``/``*.ndjson``: JSON Lines, one
  snapshot a line (blank lines are skipped, line numbers count them);
- a folder is searched recursively for ``*.json``, ``*.yaml``, ``*.yml``, ``*.jsonl``,
  ``*.ndjson`` and their ``.gz`` variants, in sorted order so every run reads the same sequence;
  hidden entries (``.name``) and files with other names are not snapshots and are passed over;
- ``-`` is JSON Lines on standard input;
- gzip is recognised by its magic bytes, whatever the name.

Nothing is parsed here (the workers do that). Whatever cannot be read becomes an item carrying
its problem, so one bad entry never stops an audit and none is passed over unseen: a file that
cannot be opened, a damaged gzip stream, a line over the size bound, and in a folder a
sub-folder that cannot be listed, a symbolic link that is broken or loops, a symbolic link to a
folder (not followed, so a folder is never read twice or forever) and a snapshot name that is
not a regular file (a pipe would block the audit).
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple, cast

from ..problems import InputProblem
from ..snapshot_loader import MAX_SNAPSHOT_BYTES

STDIN = "-"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
FOLDER_SUFFIXES = (".json", ".yaml", ".yml", *JSONL_SUFFIXES)
GZIP_MAGIC = b"\x1f\x8b"
_GZIP_ERRORS = (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError


@dataclass(frozen=True)
class SourceItem:
    """One snapshot to audit: its bytes, or the problem that kept them from being read."""

    source: str  # the file as named on the command line or found in a folder; "-" for stdin
    line: int | None  # 1-based line in a JSON Lines source; None for a one-snapshot file
    raw: bytes | None = None
    problem: InputProblem | None = None
    done_bytes: int = 0  # input bytes consumed up to this item, for the progress estimate
    #: The whole file's size when ``raw`` holds only its first bytes (a file over the size bound),
    #: so the check names it as ``preflight check`` does; None when unknown or not needed.
    size: int | None = None

    def where(self) -> str:
        """'exports/a.jsonl:12' or 'exports/b.json'."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


class MissingPath(Exception):
    """A PATH argument names nothing: a usage error, reported before the audit starts."""


class Entry(NamedTuple):
    """A file to read, or an entry of a folder that cannot be read and why."""

    path: str
    problem: str | None = None


def check_paths(paths: Iterable[str]) -> None:
    """Raise :class:`MissingPath` for the first argument that is neither '-' nor an existing path."""
    for path in paths:
        if path == STDIN:
            continue
        try:
            os.stat(path)
        except OSError as err:
            reason = "no such file or folder" if err.errno == errno.ENOENT else _reason(err)
            raise MissingPath(f"{path}: {reason}") from None


def wanted_in_folder(name: str) -> bool:
    """Whether a file found in a folder is a snapshot source (by suffix, ``.gz`` allowed)."""
    base = name.lower().removesuffix(".gz")
    return base.endswith(FOLDER_SUFFIXES) and not name.startswith(".")


def is_json_lines(path: str) -> bool:
    """JSON Lines by name: ``*.jsonl`` or ``*.ndjson``, gzip-compressed or not; '-' always."""
    return path == STDIN or path.lower().removesuffix(".gz").endswith(JSONL_SUFFIXES)


def expand(paths: Iterable[str]) -> Iterator[Entry]:
    """Every file to read, in order: arguments as given, folders walked recursively and sorted."""
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            yield from _walk(path)
        else:
            yield Entry(path)


def _walk(folder: str) -> Iterator[Entry]:
    """Files and sub-folders interleaved by name (like ``find | sort``), depth first, without
    recursion (any depth); hidden entries skipped; symbolic links to folders are not followed."""
    try:
        stack = [_listing(folder)]
    except OSError as err:
        yield Entry(folder, f"cannot read the folder: {_reason(err)}")
        return
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        kind, problem = _kind(entry)
        if kind == "folder":
            try:
                stack.append(_listing(entry.path))
            except OSError as err:
                yield Entry(entry.path, f"cannot read the folder: {_reason(err)}")
        elif kind == "file" and wanted_in_folder(entry.name):
            yield Entry(entry.path)
        elif problem is not None and (kind == "unknown" or wanted_in_folder(entry.name)):
            yield Entry(entry.path, problem)


def _listing(folder: str) -> Iterator[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return iter(sorted(entries, key=lambda e: e.name))


def _kind(entry: os.DirEntry[str]) -> tuple[str, str | None]:
    """'folder', 'file', 'other' (a pipe, socket or device) or 'unknown' (what a link leads to
    cannot be seen), with the problem when the entry cannot be read as what it is."""
    try:
        if not entry.is_symlink():
            if entry.is_dir(follow_symlinks=False):
                return "folder", None
            if entry.is_file(follow_symlinks=False):
                return "file", None
            return "other", "not a regular file (a pipe, socket or device), not read"
        target = os.stat(entry.path)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return "unknown", "a broken symbolic link: what it points to does not exist"
        if err.errno == errno.ELOOP:
            return "unknown", "a symbolic link that loops (it leads back to itself)"
        return "unknown", f"cannot read it: {_reason(err)}"
    if stat.S_ISDIR(target.st_mode):
        return "unknown", "a symbolic link to a folder, not followed (give the folder itself as a PATH to audit it)"
    if stat.S_ISREG(target.st_mode):
        return "file", None
    return "other", "not a regular file (a pipe, socket or device), not read"


def same_file_as(path: str, paths: Iterable[str]) -> str | None:
    """The input (a PATH argument, or a file found in a folder) that is the file ``path`` names
    (the same path, or the same file through links), or None."""
    try:
        target = os.stat(path)
    except OSError:
        return None  # it does not exist yet, so it is none of the inputs
    for candidate, problem in expand(paths):
        if candidate == STDIN or problem is not None:
            continue
        with contextlib.suppress(OSError):
            found = os.stat(candidate)
            if (found.st_dev, found.st_ino) == (target.st_dev, target.st_ino):
                return candidate
    return None


def total_bytes(paths: Iterable[str]) -> int | None:
    """Size of every input file (compressed, as read), or None when standard input is one."""
    total = 0
    for path, problem in expand(paths):
        if path == STDIN:
            return None
        if problem is not None:
            continue
        with contextlib.suppress(OSError):  # an unreadable file is reported when it is read
            total += os.path.getsize(path)
    return total


def read_items(
    paths: Iterable[str], *, stdin: IO[bytes] | None = None, max_bytes: int = MAX_SNAPSHOT_BYTES
) -> Iterator[SourceItem]:
    """All snapshots of ``paths`` in order, read lazily; problems are items, never exceptions."""
    done = 0
    for path, problem in expand(paths):
        if problem is not None:
            yield _problem_item(path, None, problem, done)
            continue
        last = done
        if path == STDIN:
            handle = stdin if stdin is not None else sys.stdin.buffer
            for item in _json_lines(path, handle, None, done, max_bytes):
                last = item.done_bytes
                yield item
            done = last
            continue
        try:
            size = os.path.getsize(path)
            handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as err:
            yield _problem_item(path, None, f"cannot read the file: {_reason(err)}", done)
            continue
        try:
            if is_json_lines(path):
                yield from _json_lines(path, handle, handle, done, max_bytes)
            else:
                yield _whole_file(path, handle, done + size, max_bytes, size)
        finally:
            handle.close()
        done += size


def _whole_file(path: str, handle: IO[bytes], done: int, max_bytes: int, size: int) -> SourceItem:
    try:
        stream = _maybe_gunzip(handle)
        raw = stream.read(max_bytes + 1)  # one byte over: the loader then reports 'too large'
    except _GZIP_ERRORS as err:
        return _problem_item(path, None, _read_error(err), done)
    whole = size if len(raw) > max_bytes and not isinstance(stream, gzip.GzipFile) else None
    return SourceItem(path, None, raw, None, done, whole)


def _json_lines(
    path: str, handle: IO[bytes], raw_file: IO[bytes] | None, base: int, max_bytes: int
) -> Iterator[SourceItem]:
    """One item per non-blank line; ``raw_file`` (the file under any gzip layer) gives progress."""
    number = 0
    consumed = 0
    try:
        stream = _maybe_gunzip(handle)
        while True:
            line = stream.readline(max_bytes + 1)
            if not line:
                return
            number += 1
            consumed += len(line)
            if len(line) > max_bytes and not line.endswith(b"\n"):
                consumed += _skip_rest_of_line(stream)
                position = base + (raw_file.tell() if raw_file else consumed)
                message = f"the line is longer than {max_bytes} bytes, the most a snapshot may have"
                yield _problem_item(path, number, message, position)
                continue
            if not line.strip():
                continue
            position = base + (raw_file.tell() if raw_file else consumed)
            yield SourceItem(path, number, line.rstrip(b"\r\n"), None, position)
    except _GZIP_ERRORS as err:
        position = base + (raw_file.tell() if raw_file else consumed)
        yield _problem_item(path, number + 1, f"{_read_error(err)}; the rest of the file is lost", position)


def _skip_rest_of_line(stream: IO[bytes]) -> int:
    skipped = 0
    while True:
        chunk = stream.readline(1 << 20)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _maybe_gunzip(handle: IO[bytes]) -> IO[bytes]:
    """The decompressed stream when ``handle`` starts with the gzip magic bytes, else ``handle``."""
    buffered = handle if isinstance(handle, io.BufferedReader) else io.BufferedReader(cast(Any, handle))
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
    return cast(IO[bytes], buffered)


def _read_error(err: BaseException) -> str:
    if isinstance(err, EOFError):
        return "the gzip stream ends too early (a truncated file?)"
    if isinstance(err, (gzip.BadGzipFile, zlib.error)):
        return f"the gzip stream is damaged: {err}"
    if isinstance(err, OSError):
        return f"cannot read the file: {_reason(err)}"
    return str(err)


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _problem_item(path: str, line: int | None, message: str, done: int) -> SourceItem:
    return SourceItem(path, line, None, InputProblem("", message), done)
