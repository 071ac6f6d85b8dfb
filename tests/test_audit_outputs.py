"""preflight.audit.outputs.base: the output file appears complete, or not at all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from preflight.audit.outputs import base
from preflight.audit.outputs.base import atomic_file


@pytest.fixture(params=["nameless", "named"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of writing: a nameless file (Linux) and the hidden temporary file (elsewhere)."""
    if request.param == "named":
        monkeypatch.setattr(base, "_anonymous_file", lambda folder: None)
    elif not sys.platform.startswith("linux"):
        pytest.skip("nameless files are a Linux feature")
    return str(request.param)


@pytest.mark.parametrize("existing", [False, True])
def test_the_file_appears_complete_when_the_block_ends(tmp_path: Path, way: str, existing: bool) -> None:
    """A new file, or one that replaces an older one; nothing else is left in the folder."""
    target = tmp_path / "audit.json"
    if existing:
        target.write_text("last week")
    with atomic_file(str(target)) as handle:
        handle.write(b"half")
        seen = sorted(p.name for p in tmp_path.iterdir())
        handle.write(b" and the rest")
    assert target.read_bytes() == b"half and the rest"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json"]
    if way == "nameless":  # not even a temporary name while it is written
        assert seen == (["audit.json"] if existing else [])
    if existing:
        assert seen.count("audit.json") == 1


def test_nothing_is_left_when_the_block_raises(tmp_path: Path, way: str) -> None:
    """An error or Ctrl-C while writing: no file, no temporary file, the older file untouched."""
    target = tmp_path / "audit.json"
    target.write_text("last week")
    for interruption in (OSError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(interruption)), atomic_file(str(target)) as handle:
            handle.write(b"half")
            raise interruption
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json"]
    assert target.read_text() == "last week"
