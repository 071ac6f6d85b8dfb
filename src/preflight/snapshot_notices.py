"""Notices about a snapshot that is valid all the same: fields the contract does not know.

The contract lets unknown fields through (newer exporters keep working), but a misspelt optional
field (``newcode`` for ``new_code``) would silently change the verdict. So every unknown field is
reported as a notice — never an error, never a reason for ``invalid`` — with the closest known name
when there is one, in the reader's language. The known names come from
``schemas/snapshot.schema.json`` itself, so the notices follow the contract.

One notice per unknown name and place in the contract (e.g. ``colour`` in administrations): the
first occurrence's path, and how many more there are. At most :data:`MAX_NOTICES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .input_messages import DEFAULT_LANG, check_lang, closest, number, say, with_hints
from .problems import json_pointer
from .resources import load_schema

#: Most notices for one snapshot; past it, one more says that there are more.
MAX_NOTICES = 100
#: Longest unknown name quoted in a notice (its path is shortened the same way).
_SHOWN_NAME = 100


@dataclass
class Notice:
    """Something the reader should know about a snapshot that does not make it invalid."""

    path: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The report form: path and message."""
        return {"path": self.path, "message": self.message}


def _no_unknown_fields(data: Any) -> bool:
    """The fast answer for the usual snapshot: the contract's schema with every object closed
    (``additionalProperties: false``), compiled by jsonschema-rs, accepts it. Only when it does
    not is the snapshot walked in Python to name the unknown fields (or the invalid parts)."""
    try:
        return bool(_closed_validator().is_valid(data))
    except (ValueError, TypeError, OverflowError):  # e.g. numbers it cannot represent
        return False


@cache
def _closed_validator() -> Any:
    import jsonschema_rs

    schema = load_schema("snapshot.schema.json")
    return jsonschema_rs.validator_for(_closed(schema, schema.get("$defs", {})), validate_formats=False)


def _closed(node: Any, defs: dict[str, Any]) -> Any:
    """A copy of a schema in which every object with ``properties`` allows no others. An
    ``allOf`` of references (TargetOffice is an Office plus) is inlined first, so the closed object
    knows the fields of both; ``if`` conditions are kept as they are."""
    if isinstance(node, list):
        return [_closed(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: (value if key == "if" else _closed(value, defs)) for key, value in node.items() if key != "allOf"}
    for part in node.get("allOf", ()):
        ref = part.get("$ref", "") if isinstance(part, dict) else ""
        if not ref.startswith("#/$defs/"):
            out.setdefault("allOf", []).append(_closed(part, defs))
            continue
        inlined = _closed(defs[ref.removeprefix("#/$defs/")], defs)
        out["properties"] = {**inlined.get("properties", {}), **out.get("properties", {})}
    if "properties" in out:
        out["additionalProperties"] = False
    return out


@dataclass
class _Shape:
    """What the contract knows at one place: field names of an object, or the shape of list items."""

    name: str
    known: frozenset[str] = frozenset()
    properties: dict[str, _Shape] = field(default_factory=dict)
    items: _Shape | None = None
    is_object: bool = False


def unknown_fields(data: Any, lang: str = DEFAULT_LANG) -> list[Notice]:
    """A notice for every field of ``data`` that the snapshot contract does not know, sorted by path."""
    check_lang(lang)
    if _no_unknown_fields(data):
        return []
    first: dict[tuple[str, str], tuple[Any, ...]] = {}
    counts: dict[tuple[str, str], int] = {}
    known: dict[tuple[str, str], frozenset[str]] = {}
    stack: list[tuple[Any, _Shape, tuple[Any, ...]]] = [(data, _root_shape(), ())]
    while stack:
        value, shape, path = stack.pop()
        if isinstance(value, dict) and shape.is_object:
            for name in value.keys() - shape.known:
                key = (shape.name, name)
                counts[key] = counts.get(key, 0) + 1
                known[key] = shape.known
                if key not in first or _path_key(path + (name,)) < _path_key(first[key]):
                    first[key] = path + (name,)
            for name, child in shape.properties.items():
                if name in value and (child.is_object or child.items is not None):
                    stack.append((value[name], child, path + (name,)))
        elif isinstance(value, list) and shape.items is not None:
            item_shape = shape.items
            stack.extend((item, item_shape, path + (index,)) for index, item in enumerate(value))
    notices = sorted(
        (_notice(first[key], key[1], known[key], counts[key], lang) for key in first),
        key=lambda n: _path_key(n.path),
    )
    if len(notices) > MAX_NOTICES:
        notices = notices[:MAX_NOTICES] + [Notice("", say("more_notices", lang, shown=number(MAX_NOTICES, lang)))]
    return notices


def _notice(path: tuple[Any, ...], name: str, known: frozenset[str], count: int, lang: str) -> Notice:
    hints = []
    near = closest(name, sorted(known))
    if near:
        hints.append(say("hint_closest", lang, name=near))
    if count > 1:
        hints.append(say("unknown_field_elsewhere", lang, count=number(count - 1, lang)))
    shown = name if len(name) <= _SHOWN_NAME else name[: _SHOWN_NAME - 1] + "…"
    message = with_hints(say("unknown_field", lang, name=shown), hints)
    return Notice(json_pointer((*path[:-1], shown)), message)


def _path_key(path: tuple[Any, ...] | str) -> tuple[tuple[int, int, str], ...]:
    parts = path.split("/") if isinstance(path, str) else [str(p) for p in path]
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in parts)


@cache
def _shapes() -> dict[str, _Shape]:
    """Every object shape of the contract by name ($defs, plus 'Snapshot' for the top level)."""
    schema = load_schema("snapshot.schema.json")
    shapes: dict[str, _Shape] = {}
    defs = schema.get("$defs", {})

    def build(name: str, node: dict[str, Any]) -> _Shape:
        if name in shapes:
            return shapes[name]
        shape = shapes[name] = _Shape(name)
        _merge(shape, node, defs, build)
        return shape

    build("Snapshot", schema)
    for name, node in defs.items():
        build(name, node)
    return shapes


def _root_shape() -> _Shape:
    return _shapes()["Snapshot"]


def _merge(shape: _Shape, node: dict[str, Any], defs: dict[str, Any], build: Any) -> None:
    """Fold a schema node into ``shape``: its own properties and those of $ref, allOf and then."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = build(ref.removeprefix("#/$defs/"), defs[ref.removeprefix("#/$defs/")])
        shape.is_object = shape.is_object or target.is_object
        shape.known |= target.known
        shape.properties.update(target.properties)
        shape.items = shape.items or target.items
    for part in [*node.get("allOf", []), *([node["then"]] if "then" in node else [])]:
        _merge(shape, part, defs, build)
    properties = node.get("properties")
    if isinstance(properties, dict):
        shape.is_object = True
        shape.known |= frozenset(properties)
        for name, sub in properties.items():
            child = _Shape(f"{shape.name}.{name}")
            _merge(child, sub, defs, build)
            if child.is_object or child.items is not None:
                shape.properties[name] = child
    items = node.get("items")
    if isinstance(items, dict):
        item_shape = _Shape(f"{shape.name}[]")
        _merge(item_shape, items, defs, build)
        shape.items = item_shape
