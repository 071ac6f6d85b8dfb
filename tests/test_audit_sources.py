"""preflight.audit.sources: PATH arguments become a stream of snapshots with where they came from."""

from __future__ import annotations

import gzip
import inspect
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight.audit import sources
from preflight.audit.sources import MissingPath, check_paths, read_items, same_file_as, total_bytes

SNAPSHOT = {"snapshot_version": 1, "taken_at": "2026-11-27T09:30:00+01:00",
            "source_office": {"code": "A1"}, "administrations": []}


def refuse_to_list(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make listing a folder called ``name`` fail as an unreadable one does (as root, which the
    tests may run as, chmod 000 would not)."""
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        if os.path.basename(str(path)) == name:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def line(code: str) -> str:
    return json.dumps({**SNAPSHOT, "source_office": {"code": code}})


def where(items: list) -> list[tuple[str, int | None]]:
    return [(Path(i.source).name, i.line) for i in items]


def test_folder_is_walked_recursively_in_sorted_order_with_snapshot_suffixes_only(tmp_path: Path) -> None:
    """Folders: *.json, *.yaml, *.yml, *.jsonl (+ .gz) at any depth, sorted; other files and hidden ones skipped."""
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "z.json").write_text(line("Z"))
    (tmp_path / "a" / "y.yaml").write_text("snapshot_version: 1\n")
    (tmp_path / "a" / "x.jsonl").write_text(line("X1") + "\n" + line("X2") + "\n")
    (tmp_path / "a" / "notes.txt").write_text("not a snapshot")
    (tmp_path / ".hidden" / "h.json").write_text(line("H"))
    (tmp_path / "c.json.gz").write_bytes(gzip.compress(line("C").encode()))
    items = list(read_items([str(tmp_path)]))
    assert where(items) == [("x.jsonl", 1), ("x.jsonl", 2), ("y.yaml", None), ("z.json", None), ("c.json.gz", None)]
    assert Path(items[0].source).parent.name == "a"
    assert json.loads(items[-1].raw)["source_office"]["code"] == "C"


def test_arguments_are_read_in_the_order_given(tmp_path: Path) -> None:
    """Files given explicitly are read in argument order, whatever their names."""
    (tmp_path / "b.json").write_text(line("B"))
    (tmp_path / "a.json").write_text(line("A"))
    items = list(read_items([str(tmp_path / "b.json"), str(tmp_path / "a.json")]))
    assert [json.loads(i.raw)["source_office"]["code"] for i in items] == ["B", "A"]


def test_json_lines_skip_blank_lines_but_count_them(tmp_path: Path) -> None:
    """Line numbers are those of the file, blank lines included; CRLF endings are stripped."""
    path = tmp_path / "offices.jsonl"
    path.write_bytes((line("A") + "\r\n\n   \n" + line("B") + "\n").encode())
    items = list(read_items([str(path)]))
    assert [(i.line, json.loads(i.raw)["source_office"]["code"]) for i in items] == [(1, "A"), (4, "B")]


def test_gzip_is_recognised_by_its_magic_bytes_even_without_the_suffix(tmp_path: Path) -> None:
    """A compressed JSON Lines file named *.jsonl (no .gz) is still decompressed."""
    path = tmp_path / "export.jsonl"
    path.write_bytes(gzip.compress((line("A") + "\n" + line("B") + "\n").encode()))
    assert [i.line for i in read_items([str(path)])] == [1, 2]


def test_a_truncated_gzip_file_is_an_item_with_its_problem(tmp_path: Path) -> None:
    """A damaged export loses only what is unreadable: the lines before it are kept."""
    data = gzip.compress(("\n".join(line(f"O{i}") for i in range(2000)) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = list(read_items([str(path)]))
    assert all(i.problem is None for i in items[:-1]) and len(items) > 1
    last = items[-1]
    assert last.problem is not None and "truncated" in last.problem.message
    assert last.line == len(items)


def test_a_line_over_the_size_bound_is_reported_and_the_next_line_still_read(tmp_path: Path) -> None:
    """An overlong line is an item with a problem; reading resumes at the next line."""
    path = tmp_path / "big.jsonl"
    path.write_text(line("A") + "\n" + "x" * 5000 + "\n" + line("B") + "\n")
    items = list(read_items([str(path)], max_bytes=1000))
    assert [(i.line, i.problem is not None) for i in items] == [(1, False), (2, True), (3, False)]
    assert "longer than 1000 bytes" in items[1].problem.message


def test_standard_input_is_json_lines(tmp_path: Path) -> None:
    """'-' reads JSON Lines from standard input, gzip too."""
    text = (line("A") + "\n" + line("B") + "\n").encode()
    for data in (text, gzip.compress(text)):
        items = list(read_items(["-"], stdin=io.BytesIO(data)))
        assert [(i.source, i.line) for i in items] == [("-", 1), ("-", 2)]


def test_an_unreadable_file_is_an_item_with_its_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that cannot be opened is an item with the reason; the next file is still read."""
    (tmp_path / "a.json").write_text(line("A"))
    (tmp_path / "b.json").write_text(line("B"))
    real_open = open

    def refuse_a(path: str, *args: object, **kwargs: object) -> object:
        if str(path).endswith("a.json"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(sources, "open", refuse_a, raising=False)
    items = list(read_items([str(tmp_path)]))
    assert items[0].problem is not None and items[0].problem.message == "cannot read the file: Permission denied"
    assert items[1].problem is None and json.loads(items[1].raw)["source_office"]["code"] == "B"


def test_missing_paths_are_a_usage_error_before_anything_is_read(tmp_path: Path) -> None:
    """A typo in a PATH argument is reported at once, naming the path."""
    with pytest.raises(MissingPath, match="nope.jsonl"):
        check_paths([str(tmp_path), str(tmp_path / "nope.jsonl")])
    check_paths(["-", str(tmp_path)])


def test_progress_bytes_grow_to_the_total_size(tmp_path: Path) -> None:
    """Each item says how much of the input is read, ending at the total the progress bar uses."""
    (tmp_path / "a.jsonl").write_text(line("A") + "\n" + line("B") + "\n")
    (tmp_path / "b.json").write_text(line("C"))
    items = list(read_items([str(tmp_path)]))
    done = [i.done_bytes for i in items]
    assert done == sorted(done) and done[-1] == total_bytes([str(tmp_path)])
    assert total_bytes(["-"]) is None


def test_folder_entries_that_cannot_be_read_are_items_with_their_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link that loops, a broken link, a link to a folder, a pipe with a snapshot name and a
    sub-folder that cannot be listed: each is an item naming its path and why; the rest is read."""
    (tmp_path / "a.json").write_text(line("A"))
    (tmp_path / "loop.json").symlink_to("loop.json")
    (tmp_path / "gone.json").symlink_to("missing.json")
    (tmp_path / "shared").symlink_to(tmp_path / "real")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "r.json").write_text(line("R"))
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "l.json").write_text(line("L"))
    os.mkfifo(tmp_path / "pipe.json")
    os.mkfifo(tmp_path / "pipe.txt")  # not a snapshot by its name: passed over like notes.txt
    refuse_to_list(monkeypatch, "locked")
    items = list(read_items([str(tmp_path)]))
    assert [(Path(i.source).name, i.problem.message if i.problem else None) for i in items] == [
        ("a.json", None),
        ("gone.json", "a broken symbolic link: what it points to does not exist"),
        ("locked", "cannot read the folder: Permission denied"),
        ("loop.json", "a symbolic link that loops (it leads back to itself)"),
        ("pipe.json", "not a regular file (a pipe, socket or device), not read"),
        ("r.json", None),
        ("shared", "a symbolic link to a folder, not followed (give the folder itself as a PATH to audit it)"),
    ]
    assert total_bytes([str(tmp_path)]) == sum(len(line(c)) for c in "AR")


def test_a_folder_given_that_cannot_be_listed_is_an_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even the folder named on the command line: one item saying so, not an empty audit."""
    refuse_to_list(monkeypatch, tmp_path.name)
    items = list(read_items([str(tmp_path)]))
    assert [(i.source, i.problem.message if i.problem else None) for i in items] == [
        (str(tmp_path), "cannot read the folder: Permission denied")
    ]


def test_folders_nested_deeper_than_the_recursion_limit_are_walked(tmp_path: Path) -> None:
    """The walk keeps its own stack: folders nested deeper than Python's recursion limit are read.

    (The limit is lowered for the test rather than nesting 1,000 folders, which pytest's own
    clean-up, recursive itself, could not remove.)"""
    deepest = tmp_path
    for _ in range(150):
        deepest = deepest / "d"
    deepest.mkdir(parents=True)
    (deepest / "x.json").write_text(line("X"))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        codes = [json.loads(i.raw)["source_office"]["code"] for i in read_items([str(tmp_path)])]
    finally:
        sys.setrecursionlimit(limit)
    assert codes == ["X"]


def test_same_file_as_finds_an_input_by_path_link_or_folder(tmp_path: Path) -> None:
    """The same path, another path to the same file (hard or symbolic link), or a file found in a folder."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "a.jsonl").write_text(line("A") + "\n")
    (tmp_path / "hard.jsonl").hardlink_to(exports / "a.jsonl")
    (tmp_path / "soft.jsonl").symlink_to(exports / "a.jsonl")
    (tmp_path / "other.json").write_text(line("O"))
    a = str(exports / "a.jsonl")
    assert same_file_as(a, [a]) == a
    assert same_file_as(str(tmp_path / "hard.jsonl"), [a]) == a
    assert same_file_as(str(tmp_path / "soft.jsonl"), [str(exports)]) == a
    assert same_file_as(str(tmp_path / "other.json"), [str(exports), "-"]) is None
    assert same_file_as(str(tmp_path / "new.json"), [str(exports)]) is None


def test_a_path_argument_that_loops_is_named_with_its_reason(tmp_path: Path) -> None:
    """Not 'no such file' for a link that exists but leads back to itself."""
    (tmp_path / "loop.json").symlink_to("loop.json")
    with pytest.raises(MissingPath, match="loop.json: Too many levels of symbolic links"):
        check_paths([str(tmp_path / "loop.json")])
