"""Where a JSON pointer's value stands in a snapshot's text: its line and column, JSON and YAML alike.

The report locates contract errors and the values a finding rests on by JSON pointer
(``/administrations/2/pending_authorisation``); a person editing the text needs the line. This
module reads the text as a stream of YAML events (libyaml's parser when PyYAML has it; JSON is
YAML's flow style, so one reader serves both) and keeps only the pointers asked for and their
ancestors: memory stays bounded by the nesting depth and the number of pointers asked, whatever
the size of the snapshot, and reading stops once every asked pointer has been seen.

A mapping member is located at its key (the line to edit is ``pending_authorisation: -1``, also
when the value is a nested block that starts on the next line); a list item at its first
character; the document at its first node. A pointer that is not in the text is located at its
nearest ancestor that is. Text that does not read as YAML gives what was found up to the fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field

import yaml

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Location:
    """A place in the text, 1-based (the column counts characters)."""

    line: int
    column: int


@dataclass(frozen=True)
class Located:
    """The places (and, for scalars, the texts) of the pointers asked for."""

    places: dict[str, Location] = field(default_factory=dict)
    scalars: dict[str, str] = field(default_factory=dict)

    def location(self, pointer: str) -> Location | None:
        """Where ``pointer`` is, or its nearest ancestor that is in the text; None when not even
        the document is (unreadable text)."""
        while True:
            place = self.places.get(pointer)
            if place is not None or not pointer:
                return place
            pointer = pointer[: pointer.rfind("/")]

    def scalar(self, pointer: str) -> str | None:
        """The text of the scalar at ``pointer`` as written (a code, a name), or None."""
        return self.scalars.get(pointer)


def locate(text: str, pointers: Iterable[str]) -> Located:
    """The location of each pointer (and of its ancestors) in ``text``, and the text of each
    asked pointer that holds a scalar."""
    asked = {p for p in pointers if p == "" or p.startswith("/")}
    wanted: set[str] = set()
    for pointer in asked:
        wanted.add(pointer)
        while pointer:
            pointer = pointer[: pointer.rfind("/")]
            wanted.add(pointer)
    located = Located()
    if not wanted:
        return located
    # What was found before a fault stays useful; the report names the fault itself.
    with suppress(yaml.YAMLError):
        _walk(text, wanted, asked, located)
    return located


class _Frame:
    """An open mapping or sequence: its pointer, and the pointer of the next child."""

    __slots__ = ("pointer", "is_mapping", "index", "key")

    def __init__(self, pointer: str, is_mapping: bool) -> None:
        self.pointer = pointer
        self.is_mapping = is_mapping
        self.index = 0
        self.key: str | None = None  # a mapping's pending key (None: the next scalar is a key)


def _walk(text: str, wanted: set[str], asked: set[str], located: Located) -> None:
    places, scalars = located.places, located.scalars
    stack: list[_Frame] = []
    ignore_depth = 0  # inside a complex (non-scalar) mapping key: nothing there has a pointer
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentStartEvent)):
            continue
        if isinstance(event, yaml.DocumentEndEvent):
            return  # a snapshot is one document
        if ignore_depth:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                ignore_depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                ignore_depth -= 1
                if not ignore_depth:
                    stack[-1].key = ""  # the complex key is done; its value follows
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            continue
        mark = event.start_mark
        if mark is None:  # every event of a parsed text has one; a guard for the type checker
            continue
        frame = stack[-1] if stack else None
        if frame is not None and frame.is_mapping and frame.key is None:
            # a key: the member's place is the key's
            if isinstance(event, yaml.ScalarEvent):
                frame.key = _escape(event.value)
                pointer = f"{frame.pointer}/{frame.key}"
                if pointer in wanted and pointer not in places:
                    places[pointer] = Location(mark.line + 1, mark.column + 1)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                ignore_depth = 1
            else:  # an alias as a key
                frame.key = ""
            continue
        if frame is None:
            pointer = ""
        elif frame.is_mapping:
            pointer = f"{frame.pointer}/{frame.key}"
            frame.key = None
        else:
            pointer = f"{frame.pointer}/{frame.index}"
            frame.index += 1
        if pointer in wanted and pointer not in places:
            places[pointer] = Location(mark.line + 1, mark.column + 1)
        if isinstance(event, yaml.ScalarEvent):
            if pointer in asked:
                scalars[pointer] = event.value
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append(_Frame(pointer, isinstance(event, yaml.MappingStartEvent)))
        if len(places) == len(wanted):
            return  # every asked pointer (and its scalar, read just now or before) is known


def _escape(key: str) -> str:
    """A mapping key as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
