"""Reading snapshot text: JSON or YAML by content, safely, with line and column on errors."""

from __future__ import annotations

import json

import pytest

from preflight.snapshot_loader import MAX_SNAPSHOT_BYTES, UnreadableSnapshot, load_snapshot


def unreadable(raw, lang="en"):
    with pytest.raises(UnreadableSnapshot) as caught:
        load_snapshot(raw, lang=lang)
    return caught.value


def test_json_and_yaml_are_told_apart_by_content():
    """The same data in JSON and YAML loads the same, whatever the file is called."""
    as_json = load_snapshot('{"a": [1, "x"], "taken_at": "2026-11-27T09:30:00Z"}')
    as_yaml = load_snapshot("a: [1, x]\ntaken_at: 2026-11-27T09:30:00Z\n")
    assert (as_json.syntax, as_yaml.syntax) == ("json", "yaml")
    assert as_json.data == as_yaml.data


def test_yaml_timestamps_stay_text():
    """A YAML date-time is kept as the string the contract expects, not a datetime."""
    assert load_snapshot("taken_at: 2026-11-27T09:30:00+01:00\n").data == {"taken_at": "2026-11-27T09:30:00+01:00"}


def test_json_syntax_error_has_line_and_column():
    """A JSON error says where."""
    err = unreadable('{\n  "a": 1,\n  "b": ]\n}')
    assert err.kind == "syntax"
    (problem,) = err.problems
    assert (problem.line, problem.column) == (3, 8)
    assert problem.message.startswith("invalid JSON")


def test_yaml_syntax_error_has_line_and_column(examples_dir):
    """A YAML error says where."""
    err = unreadable((examples_dir / "not-json.txt").read_bytes())
    (problem,) = err.problems
    assert problem.line == 3 and problem.column is not None
    assert problem.message.startswith("invalid YAML")


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo pwned']",
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
    ],
)
def test_yaml_python_tags_and_non_json_types_are_refused(text):
    """No Python object is ever built from YAML, and only JSON types are accepted."""
    err = unreadable(text)
    assert err.kind == "syntax"


def test_billion_laughs_is_bounded():
    """Alias expansion that would explode is refused quickly."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    err = unreadable("\n".join(lines))
    assert "more than" in err.problems[0].message


@pytest.mark.parametrize("opening", ["[", "{\"a\":"])
def test_deep_nesting_is_refused(opening):
    """Deeply nested input is refused with a message, not a RecursionError."""
    depth = 100_000
    closing = "]" if opening == "[" else "}"
    err = unreadable(opening * depth + "1" + closing * depth)
    assert "deeper" in err.problems[0].message


def test_moderate_nesting_gives_the_path():
    """Nesting past the bound but parseable names the path where it happens."""
    doc = {"a": 1}
    for _ in range(40):
        doc = {"x": doc}
    err = unreadable(json.dumps(doc))
    assert err.problems[0].path.startswith("/x/x/x")


def test_size_bound():
    """More than the size bound is refused as too large."""
    err = unreadable(b"{" + b" " * MAX_SNAPSHOT_BYTES + b"}")
    assert err.kind == "too_large"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"a: 1\na: 2\n", "duplicate key"),
        (b'{"a": NaN}', "NaN"),
        (b"a: .nan\n", "NaN"),
        (b'{"a": 1' + b"0" * 5000 + b"}", "invalid JSON"),
        (b"a: 1\n---\nb: 2\n", "invalid YAML"),
        (b"1: a\n", "not text"),
        (b'\xff\xfe{"a": 1}', "not UTF-8"),
    ],
)
def test_bad_input_kinds(raw, needle):
    """Each kind of unreadable input gets a message that says what is wrong."""
    err = unreadable(raw)
    assert needle in err.problems[0].message, err.problems


def test_byte_order_mark_and_non_ascii():
    """A UTF-8 BOM is ignored; non-ASCII text survives."""
    loaded = load_snapshot('\ufeff{"name": "Bakkerij Ümit & Zoon — 北京"}'.encode())
    assert loaded.data == {"name": "Bakkerij Ümit & Zoon — 北京"}


def test_not_utf8_gives_line_and_column():
    """A bad byte is located."""
    err = unreadable(b'{\n "name": "caf\xe9"}')
    assert (err.problems[0].line, err.problems[0].column) == (2, 14)
