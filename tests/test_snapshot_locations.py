"""JSON pointers to lines and columns in a snapshot's text, for YAML and JSON alike."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from preflight.snapshot_locations import Location, locate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _line_of(text: str, location: Location | None) -> str:
    assert location is not None
    return text.split("\n")[location.line - 1]


def test_yaml_members_are_located_at_their_key() -> None:
    """A mapping member is at its key, also when its value is a block on the next lines."""
    text = (EXAMPLES / "blocked.yaml").read_text(encoding="utf-8")
    located = locate(text, ["/administrations/0/pending_authorisation", "/administrations/1/workflows"])
    place = located.location("/administrations/0/pending_authorisation")
    assert _line_of(text, place).strip() == "pending_authorisation: 12"
    assert place is not None and place.column == 5
    assert _line_of(text, located.location("/administrations/1/workflows")).strip() == "workflows:"


def test_list_items_and_scalars() -> None:
    """A list item is at its first character; the text of an asked scalar is kept as written."""
    text = "a:\n  - x: 1\n  - code: 2001\n    name: Bakkerij Één\n"
    located = locate(text, ["/a/1", "/a/1/code", "/a/1/name"])
    assert located.location("/a/1") == Location(3, 5)
    assert located.location("/a/1/code") == Location(3, 5)
    assert located.scalar("/a/1/code") == "2001"
    assert located.scalar("/a/1/name") == "Bakkerij Één"


def test_json_is_read_too_with_columns_in_characters() -> None:
    """JSON (YAML's flow style) gives the same pointers; columns count characters, not bytes."""
    data = yaml.safe_load((EXAMPLES / "blocked.yaml").read_text(encoding="utf-8"))
    text = json.dumps(data, indent=2, ensure_ascii=False)
    located = locate(text, ["/administrations/1/users/0/role", "/source_office/name"])
    assert _line_of(text, located.location("/administrations/1/users/0/role")).strip() == '"role": "authoriser",'
    one_line = '{"naam": "é€😀", "b":\t1}'
    assert locate(one_line, ["/b"]).location("/b") == Location(1, 17)  # 3 characters, 9 bytes


def test_a_missing_pointer_falls_back_to_its_nearest_ancestor() -> None:
    """A pointer the text does not have (a missing required field) is located at its parent."""
    text = "administrations:\n  - code: '1'\n  - code: '2'\n"
    located = locate(text, ["/administrations/1/accounting_system"])
    assert located.location("/administrations/1/accounting_system") == Location(3, 5)
    assert located.location("/nothing/here") == Location(1, 1)


def test_pointer_tokens_are_escaped() -> None:
    """Keys with '/' and '~' are matched by their RFC 6901 tokens."""
    located = locate('{"a/b": {"c~d": 1}}', ["/a~1b/c~0d"])
    assert located.location("/a~1b/c~0d") == Location(1, 10)


def test_complex_keys_and_aliases_do_not_confuse_the_walk() -> None:
    """A complex mapping key and an alias are skipped over; later members are still found."""
    text = "? [a, b]\n: 1\nx: &anchor {y: 1}\nz: *anchor\nw: 2\n"
    located = locate(text, ["/w", "/z"])
    assert located.location("/w") == Location(5, 1)
    assert located.location("/z") == Location(4, 1)


def test_unreadable_text_keeps_what_came_before_the_fault() -> None:
    """Text with a syntax error gives the places found before it, and no exception."""
    located = locate("a: 1\nb: [\n", ["/a", "/b/0"])
    assert located.location("/a") == Location(1, 1)
    assert locate("", ["/a"]).location("/a") is None
    assert locate("a: 1", []).places == {}
