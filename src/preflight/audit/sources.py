"""Step 1: turn the PATH arguments into a lazy stream of snapshots, each with where it came from.

- a file holds one snapshot (JSON or YAML), except ``*.jsonl``/``*.ndjson``: JSON Lines, one
  snapshot a line (blank lines are skipped, line numbers count them);
- a folder is searched recursively for ``*.json``, ``*.yaml``, ``*.yml``, ``*.jsonl``,
  ``*.ndjson`` and their ``.gz`` variants, in sorted order so every run reads the same sequence;
- ``-`` is JSON Lines on standard input;
- gzip is recognised by its magic bytes, whatever the name.

Nothing is parsed here (the workers do that). A file that cannot be read, a damaged gzip stream
or a line over the size bound becomes an item carrying its problem, so one bad file never stops
an audit.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

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

    def where(self) -> str:
        """'exports/a.jsonl:12' or 'exports/b.json'."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


class MissingPath(Exception):
    """A PATH argument names nothing: a usage error, reported before the audit starts."""


def check_paths(paths: Iterable[str]) -> None:
    """Raise :class:`MissingPath` for the first argument that is neither '-' nor an existing path."""
    for path in paths:
        if path != STDIN and not os.path.exists(path):
            raise MissingPath(f"{path}: no such file or folder")


def wanted_in_folder(name: str) -> bool:
    """Whether a file found in a folder is a snapshot source (by suffix, ``.gz`` allowed)."""
    base = name.lower().removesuffix(".gz")
    return base.endswith(FOLDER_SUFFIXES) and not name.startswith(".")


def is_json_lines(path: str) -> bool:
    """JSON Lines by name: ``*.jsonl`` or ``*.ndjson``, gzip-compressed or not; '-' always."""
    return path == STDIN or path.lower().removesuffix(".gz").endswith(JSONL_SUFFIXES)


def expand(paths: Iterable[str]) -> Iterator[str]:
    """Every file to read, in order: arguments as given, folders walked recursively and sorted."""
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            yield from _walk(path)
        else:
            yield path


def _walk(folder: str) -> Iterator[str]:
    """Files and sub-folders interleaved by name (like ``find | sort``); hidden ones skipped;
    symbolic links to folders are not followed (no loops)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return  # an unreadable sub-folder holds nothing we can read
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif wanted_in_folder(entry.name) and entry.is_file():
            yield entry.path


def total_bytes(paths: Iterable[str]) -> int | None:
    """Size of every input file (compressed, as read), or None when standard input is one."""
    total = 0
    for path in expand(paths):
        if path == STDIN:
            return None
        with contextlib.suppress(OSError):  # an unreadable file is reported when it is read
            total += os.path.getsize(path)
    return total


def read_items(
    paths: Iterable[str], *, stdin: IO[bytes] | None = None, max_bytes: int = MAX_SNAPSHOT_BYTES
) -> Iterator[SourceItem]:
    """All snapshots of ``paths`` in order, read lazily; problems are items, never exceptions."""
    done = 0
    for path in expand(paths):
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
            yield _problem_item(path, None, f"cannot read the file: {err.strerror or err}", done)
            continue
        try:
            if is_json_lines(path):
                yield from _json_lines(path, handle, handle, done, max_bytes)
            else:
                yield _whole_file(path, handle, done + size, max_bytes)
        finally:
            handle.close()
        done += size


def _whole_file(path: str, handle: IO[bytes], done: int, max_bytes: int) -> SourceItem:
    try:
        stream = _maybe_gunzip(handle)
        raw = stream.read(max_bytes + 1)  # one byte over: the loader then reports 'too large'
    except _GZIP_ERRORS as err:
        return _problem_item(path, None, _read_error(err), done)
    return SourceItem(path, None, raw, None, done)


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
        return f"cannot read the file: {err.strerror or err}"
    return str(err)


def _problem_item(path: str, line: int | None, message: str, done: int) -> SourceItem:
    return SourceItem(path, line, None, InputProblem("", message), done)
