"""Reading snapshot text: JSON or YAML by content, safely, with line and column on errors."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.pipeline import check
from preflight.snapshot_loader import (
    MAX_ALIAS_NODES,
    MAX_NODES,
    MAX_NUMBER_DIGITS,
    MAX_SNAPSHOT_BYTES,
    MAX_YAML_NODES,
    UnreadableSnapshot,
    load_snapshot,
)


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
    """More than the size bound is refused as too large, its size said for people."""
    err = unreadable(b"{" + b" " * MAX_SNAPSHOT_BYTES + b"}")
    assert err.kind == "too_large"
    assert err.problems[0].message == "the snapshot is 5.2 MB (5,242,882 bytes); at most 5.2 MB (5,242,880 bytes) is accepted"


def test_a_cut_input_is_larger_than_the_limit_not_one_byte_over():
    """A reader that stops one byte past the limit does not know the size: 'larger than', and
    the real size when the caller knows it (a file)."""
    cut = b" " * (MAX_SNAPSHOT_BYTES + 1)
    with pytest.raises(UnreadableSnapshot) as caught:
        load_snapshot(cut, lang="en")
    assert caught.value.problems[0].message == "the snapshot is larger than 5.2 MB (5,242,880 bytes), the most that is accepted"
    with pytest.raises(UnreadableSnapshot) as caught:
        load_snapshot(cut, lang="en", size=6_000_000)
    assert caught.value.problems[0].message.startswith("the snapshot is 6.0 MB (6,000,000 bytes); at most 5.2 MB")


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


def test_parse_errors_are_in_dutch_by_default():
    """Without a language, a parse error is worded in Dutch; the parser's own words are translated."""
    err = unreadable('{\n  "a": 1,\n  "b": ]\n}', lang="nl")
    assert err.problems[0].message.startswith("ongeldige JSON: hier hoort een waarde")
    err = unreadable(b"a: b: c\n", lang="nl")
    assert err.problems[0].message == (
        "ongeldige YAML: een dubbele punt (:) is hier niet toegestaan; zet tekst met ': ' tussen aanhalingstekens"
    )
    assert unreadable(b"", lang="nl").problems[0].message == "de snapshot is leeg"


def test_an_untranslated_parser_message_is_quoted_in_a_dutch_sentence():
    """A parser message missing from the table still reaches the reader, inside Dutch words."""
    err = unreadable(b"%FOO\n---\na: 1\n", lang="nl")
    assert err.problems[0].message == "ongeldige YAML: onbekende %-aanwijzing"
    err = unreadable(b"a: 1\n? [b\n", lang="nl")
    assert err.problems[0].message.startswith("ongeldige YAML: ")
    assert (err.problems[0].line, err.problems[0].column) != (None, None)


def test_a_long_flow_list_is_refused_before_it_is_built():
    """A 5 MiB YAML flow list `x: [1,1,1,…]` is refused by the value bound (counted while parsing)."""
    count = (MAX_SNAPSHOT_BYTES - 10) // 2
    err = unreadable(("x: [" + "1," * (count - 1) + "1]").encode())
    assert err.problems[0].message == (
        f"the YAML snapshot holds more than {MAX_YAML_NODES:,} values; send a snapshot this large as JSON"
    )


def test_the_yaml_value_bound_is_exact_while_parsing():
    """MAX_YAML_NODES values are read; one more is refused, with where it happened."""
    # the top-level mapping is one value, the list another, then its items
    at_limit = "x: [" + ",".join(["1"] * (MAX_YAML_NODES - 2)) + "]"
    assert len(load_snapshot(at_limit).data["x"]) == MAX_YAML_NODES - 2
    err = unreadable("x: [" + ",".join(["1"] * (MAX_YAML_NODES - 1)) + "]")
    (problem,) = err.problems
    assert problem.message.startswith(f"the YAML snapshot holds more than {MAX_YAML_NODES:,} values")
    assert problem.path == f"/x/{MAX_YAML_NODES - 2}" and problem.line == 1


def test_json_values_are_counted_before_parsing():
    """A JSON document of more than MAX_NODES values is refused before the decoder runs; commas in text do not count."""
    err = unreadable('{"x": [' + ",".join(["1"] * MAX_NODES) + "]}")
    assert err.problems[0].message == f"the snapshot holds more than {MAX_NODES:,} values"
    text = '{"x": "' + "," * (MAX_SNAPSHOT_BYTES - 20) + '"}'
    assert len(load_snapshot(text).data["x"]) == MAX_SNAPSHOT_BYTES - 20


def test_aliases_are_bounded_by_what_they_expand_to():
    """A small YAML whose aliases stand for many values (78 KB, fewer than 1,000 aliases) is refused."""
    text = "base: &b [" + ",".join(["x"] * 480) + "]\nl: [" + ",".join(["*b"] * 999) + "]\n"
    assert len(text) < 80_000
    err = unreadable(text)
    (problem,) = err.problems
    assert problem.message.startswith(f"the YAML aliases (*name) stand for more than {MAX_ALIAS_NODES:,} values")
    assert problem.path.startswith("/l/") and problem.line == 2


def test_a_few_small_aliases_are_fine():
    """Reusing a block with an anchor and aliases, as people do by hand, works."""
    loaded = load_snapshot("std: &std {before_booking: none, after_booking: optional}\na: *std\nb: *std\n")
    assert loaded.data["a"] == loaded.data["b"] == {"before_booking": "none", "after_booking": "optional"}


@pytest.mark.parametrize(
    ("literal", "value"),
    [("0x1F", 31), ("0o17", "0o17"), ("017", 15), ("0b101", 5), ("1:59:59", 7199), ("-0x10", -16), ("1_000", 1000)],
)
def test_yaml_integers_in_other_notations_are_read_as_pyyaml_reads_them(literal, value):
    """YAML 1.1 integers (hex, octal, binary, base 60) mean what PyYAML's SafeLoader says."""
    assert load_snapshot(f"a: {literal}\n").data == {"a": value}


@pytest.mark.parametrize(
    "literal",
    ["0x" + "f" * 4000, "0x" + "f" * 84, "0b" + "1" * 400, "0" + "7" * 399, "1" + ":59" * 300, "9" * (MAX_NUMBER_DIGITS + 1)],
)
def test_yaml_integers_are_bounded_whatever_their_notation(literal):
    """A number of more than MAX_NUMBER_DIGITS digits is refused where it is, in any notation."""
    err = unreadable(f"taken_at: x\npending: {literal}\n")
    (problem,) = err.problems
    assert problem.message == f"invalid YAML: a number of more than {MAX_NUMBER_DIGITS} digits"
    assert (problem.path, problem.line, problem.column) == ("/pending", 2, 10)


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_a_huge_hex_count_gives_an_invalid_report_not_a_crash(examples_dir, engine):
    """`pending_authorisation: 0xfff…` (4,000 digits) is an invalid report on both engines."""
    text = (examples_dir / "one-problem.yaml").read_text(encoding="utf-8")
    text = text.replace("pending_authorisation: 3", "pending_authorisation: 0x" + "f" * 4000)
    report = check(text, engine=engine, lang="en")
    assert report.verdict == "invalid"
    assert report.errors[0].message == f"invalid YAML: a number of more than {MAX_NUMBER_DIGITS} digits"
    small = check(text.replace("0x" + "f" * 4000, "0x10"), engine=engine, lang="en")
    assert [f.evidence for f in small.findings if f.rule == "documents-awaiting-authorisation"] == [{"pending_authorisation": 16}]


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b'{"a": {"b": "x\\ud800y"}}', ("/a/b", 1, 13)),
        (b'{"a": ["ok", "\\udc00"]}', ("/a/1", 1, 14)),
        (b'{"\\ud800": 1}', ("", 1, 2)),
    ],
)
def test_a_lone_surrogate_escape_in_json_is_located(raw, where):
    """`\\ud800` without its other half is not a character: refused with path, line and column."""
    (problem,) = unreadable(raw).problems
    assert problem.message.startswith("invalid JSON: text with a lone half of a UTF-16 pair")
    assert (problem.path, problem.line, problem.column) == where


def test_surrogate_pairs_written_as_escapes_are_fine():
    """An emoji written as its two escapes (what ensure_ascii writers produce) is one character."""
    assert load_snapshot(b'{"name": "\\ud83d\\ude00"}').data == {"name": "\U0001f600"}


def test_a_lone_surrogate_in_yaml_or_in_text_given_as_a_string_is_located():
    """libyaml refuses the escape with its place; a Python string holding one is an encoding error."""
    (problem,) = unreadable(b'a:\n  b: "\\ud800"\n').problems
    assert problem.message.startswith("invalid YAML: found invalid Unicode character escape code")
    assert (problem.line, problem.column) == (2, 9)
    err = unreadable('a: "x\ud800"\n')
    assert err.kind == "encoding"
    assert (err.problems[0].line, err.problems[0].column) == (1, 6)


@pytest.mark.parametrize("engine", ["python", "durable"])
@pytest.mark.parametrize("raw", ['{"snapshot_version": "\\ud800"}', 'snapshot_version: "\\ud800"\n', 'x: "\ud800"\n'])
def test_a_lone_surrogate_is_an_invalid_report_on_both_engines(engine, raw):
    """Never a traceback: the pipeline answers invalid."""
    assert check(raw, engine=engine).verdict == "invalid"


def test_the_merge_key_is_refused_clearly():
    """`<<: *base` is YAML 1.1's merge key; the contract does not use it, and says so where it is."""
    (problem,) = unreadable(b"base: &b {code: A}\nitem:\n  <<: *b\n  name: x\n").problems
    assert problem.message == "invalid YAML: the YAML merge key << is not supported: write the fields out in full"
    assert (problem.path, problem.line, problem.column) == ("/item", 3, 3)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: !!str 12\n", None),
        ("a: !!int '12'\n", None),
        ("a: !foo x\n", "the YAML tag !foo is not allowed"),
        ("a: !!timestamp 2026-11-27\n", "the YAML tag !!timestamp is not allowed"),
        ("a: !!omap [{b: 1}]\n", "the YAML tag !!omap is not allowed"),
        ("yes: 1\n", "YAML reads key yes as true or false; put it in quotes"),
        ("? [a]\n: 1\n", "key […] is not text"),
        ("a: &x [*x]\n", "alias *x refers to no anchor &x before it"),
    ],
)
def test_only_json_values_come_out_of_yaml(text, needle):
    """Explicit tags of JSON types are read; every other tag, non-text key or dangling alias is refused."""
    if needle is None:
        assert load_snapshot(text).data in ({"a": "12"}, {"a": 12})
    else:
        assert needle in unreadable(text).problems[0].message


class _ReferenceLoader(yaml.SafeLoader):
    """PyYAML's pure-Python SafeLoader with timestamps kept as text: what the loader used to be."""


_ReferenceLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

SCALARS = st.one_of(
    st.sampled_from(["yes", "No", "on", "~", "null", "", "0012", "0x1F", "1:30", "1_000", "-7", "+3", "1.5",
                     "1.0e+5", "1e5", ".5", "2026-11-27T09:30:00+01:00", "2026-11-27", "=", "<<", "a: b", "#x", "é"]),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.none(),
    st.text(max_size=8),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150)
@given(DOCUMENTS, st.booleans(), st.booleans())
def test_yaml_reads_as_pyyaml_safeloader_reads_it(document, flow, unicode):
    """Whatever PyYAML writes, libyaml's events built here give what PyYAML's SafeLoader gives."""
    text = yaml.safe_dump({"doc": document}, default_flow_style=flow, allow_unicode=unicode)
    text = "# a flow mapping would read as JSON\n" + text
    assert load_snapshot(text.encode()).data == yaml.load(text, Loader=_ReferenceLoader)  # noqa: S506
