"""Step 1: turn the bytes of a snapshot (JSON or YAML, detected by content) into plain data.

Every failure becomes an :class:`UnreadableSnapshot` carrying :class:`InputProblem` values with a
line and column where the parser knows them. YAML is loaded with a safe loader that knows no
Python tags, keeps timestamps as strings and bounds alias expansion, so a hostile document
cannot exhaust memory ("billion laughs").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import InputProblem, json_pointer

#: Largest snapshot accepted, in bytes. Real snapshots are a few hundred KiB at most; the bound
#: also keeps every string far below the engine's 16 MiB limit.
MAX_SNAPSHOT_BYTES = 5 * 1024 * 1024
#: Deepest nesting accepted (a snapshot needs 5 levels).
MAX_DEPTH = 32
#: Most values (after YAML alias expansion) a snapshot may hold.
MAX_NODES = 500_000


class UnreadableSnapshot(Exception):
    """The input is not a readable document; ``kind`` is 'too_large', 'encoding' or 'syntax'."""

    def __init__(self, kind: str, problems: list[InputProblem]) -> None:
        super().__init__("; ".join(f"{p.where()}: {p.message}" for p in problems))
        self.kind = kind
        self.problems = problems


@dataclass(frozen=True)
class LoadedSnapshot:
    """A parsed document and the syntax it was written in."""

    data: Any
    syntax: str  # "json" or "yaml"


def load_snapshot(raw: bytes | str, *, max_bytes: int = MAX_SNAPSHOT_BYTES) -> LoadedSnapshot:
    """Parse ``raw`` as JSON when it starts with ``{`` or ``[``, else as YAML; check its shape."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > max_bytes:
        raise UnreadableSnapshot(
            "too_large",
            [InputProblem("", f"the snapshot is {size} bytes; at most {max_bytes} are accepted")],
        )
    text = _decode(raw) if isinstance(raw, bytes) else raw
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise UnreadableSnapshot("syntax", [InputProblem("", "the snapshot is empty", 1, 1)])
    if text.lstrip()[:1] in ("{", "["):
        data, syntax = _parse_json(text), "json"
    else:
        data, syntax = _parse_yaml(text), "yaml"
    _check_shape(data)
    return LoadedSnapshot(data, syntax)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise UnreadableSnapshot(
            "encoding",
            [InputProblem("", f"not UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded", line, column)],
        ) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise UnreadableSnapshot(
            "syntax", [InputProblem("", f"invalid JSON: {err.msg}", err.lineno, err.colno)]
        ) from None
    except RecursionError:
        raise UnreadableSnapshot(
            "syntax", [InputProblem("", f"invalid JSON: nested deeper than {MAX_DEPTH} levels")]
        ) from None
    except ValueError as err:  # duplicate keys, NaN, integers with too many digits
        raise UnreadableSnapshot("syntax", [InputProblem("", f"invalid JSON: {err}")]) from None


class _SnapshotYamlLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text, rejects duplicate keys and counts aliases."""

    aliases_seen = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > 1000:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.constructor.ConstructorError(
                    None, None, "more than 1000 aliases", event.start_mark
                )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key!r}", key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Timestamps stay strings: the contract types them as RFC 3339 text, and the schema checks them.
_SnapshotYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_SnapshotYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or err.context or "invalid YAML"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise UnreadableSnapshot("syntax", [InputProblem("", f"invalid YAML: {what}", line, column)]) from None
    except yaml.YAMLError as err:
        raise UnreadableSnapshot("syntax", [InputProblem("", f"invalid YAML: {err}")]) from None
    except RecursionError:
        raise UnreadableSnapshot(
            "syntax", [InputProblem("", f"invalid YAML: nested deeper than {MAX_DEPTH} levels")]
        ) from None
    except ValueError as err:  # e.g. an integer with too many digits
        raise UnreadableSnapshot("syntax", [InputProblem("", f"invalid YAML: {err}")]) from None


def _check_shape(data: Any) -> None:
    """Bound depth and (alias-expanded) size, and allow only JSON types with string keys."""
    budget = MAX_NODES
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        budget -= 1
        if budget < 0:
            raise UnreadableSnapshot(
                "syntax", [InputProblem("", f"the snapshot holds more than {MAX_NODES} values")]
            )
        if len(path) > MAX_DEPTH:
            raise UnreadableSnapshot(
                "syntax",
                [InputProblem(json_pointer(path[:MAX_DEPTH]), f"nested deeper than {MAX_DEPTH} levels")],
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise UnreadableSnapshot(
                        "syntax",
                        [InputProblem(json_pointer(path), f"key {key!r} is not a string; quote it")],
                    )
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
        elif isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise UnreadableSnapshot(
                "syntax", [InputProblem(json_pointer(path), "NaN and infinity are not numbers here")]
            )
        elif not (value is None or isinstance(value, (str, int, float, bool))):
            raise UnreadableSnapshot(
                "syntax",
                [InputProblem(json_pointer(path), f"a {type(value).__name__} value is not allowed")],
            )
