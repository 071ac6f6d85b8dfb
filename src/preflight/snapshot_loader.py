"""Step 1: turn the bytes of a snapshot (JSON or YAML, detected by content) into plain data.

Every failure becomes an :class:`UnreadableSnapshot` carrying :class:`InputProblem` values with a
line and column (and a JSON path where one exists), worded in the reader's language
(:mod:`input_messages`). Only JSON values come out: objects with text keys, lists, text, numbers,
true/false and null.

Limits hold *before* the work, not after it:

- JSON: the number of values is counted on the text before it is parsed (C speed), and the C
  decoder refuses duplicate keys, NaN/Infinity and over-long numbers through its hooks.
- YAML: libyaml (PyYAML's C parser) produces events and this module builds the values from them,
  counting every value, alias expansion included, as it goes; a document over a bound stops at
  the event that crosses it. No Python object is ever built from a tag, timestamps stay text,
  the merge key ``<<`` is refused, duplicate keys are refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml
from yaml import events as ev
from yaml._yaml import CParser

from .input_messages import DEFAULT_LANG, byte_size, check_lang, number, parser_text, say, show
from .problems import InputProblem, json_pointer

#: Largest snapshot accepted, in bytes. Real snapshots are a few hundred KiB at most.
MAX_SNAPSHOT_BYTES = 5 * 1024 * 1024
#: Deepest nesting of objects and lists (a snapshot needs 5 levels).
MAX_DEPTH = 32
#: Most values a JSON snapshot may hold; counted on the text before it is parsed.
MAX_NODES = 500_000
#: Most values (after alias expansion) a YAML snapshot may hold; counted while parsing. Lower than
#: for JSON: YAML is for snapshots written or pasted by hand, and building values from libyaml's
#: events costs about 4 µs each (50,000 in a quarter of a second), JSON's C decoder far less.
MAX_YAML_NODES = 50_000
#: Most YAML aliases (``*name``) in a snapshot.
MAX_ALIASES = 1_000
#: Most values YAML aliases may stand for together (what they expand to, counted per use).
MAX_ALIAS_NODES = 20_000
#: Most digits of a number, whatever its notation (decimal, hex, octal, binary, base 60).
MAX_NUMBER_DIGITS = 100


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


def load_snapshot(
    raw: bytes | str, *, max_bytes: int = MAX_SNAPSHOT_BYTES, lang: str = DEFAULT_LANG, size: int | None = None
) -> LoadedSnapshot:
    """Parse ``raw`` as JSON when it starts with ``{`` or ``[``, else as YAML, within the limits.

    ``size``: the input's whole size when the caller knows it (a file's, a Content-Length) and
    handed over only its first ``max_bytes + 1`` bytes; the message then names it.
    """
    check_lang(lang)
    if isinstance(raw, str):
        encoded = _encode(raw, max_bytes, lang)
        text = raw
    else:
        _check_size(size if size is not None and size > len(raw) else len(raw), max_bytes, lang)
        encoded, text = raw, _decode(raw, lang)
    text = text.removeprefix("\ufeff")
    encoded = encoded.removeprefix(b"\xef\xbb\xbf")
    stripped = text.lstrip()
    if not stripped:
        raise UnreadableSnapshot("syntax", [InputProblem("", say("empty", lang), 1, 1)])
    if stripped[0] in "{[":
        return LoadedSnapshot(_parse_json(text, lang), "json")
    return LoadedSnapshot(_YamlBuilder(encoded, lang).build(), "yaml")


def _check_size(size: int, max_bytes: int, lang: str) -> None:
    """Refuse input over ``max_bytes``; one byte over is what a reader that stops there sees, so
    its size is unknown: the message then says "larger than" rather than a wrong number."""
    if size > max_bytes:
        limit = byte_size(max_bytes, lang)
        if size == max_bytes + 1:
            message = say("too_large_over", lang, max=limit)
        else:
            message = say("too_large", lang, size=byte_size(size, lang), max=limit)
        raise UnreadableSnapshot("too_large", [InputProblem("", message)])


def _encode(text: str, max_bytes: int, lang: str) -> bytes:
    """UTF-8 of text given as a string; a lone surrogate in it is located, not a traceback."""
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as err:
        _check_size(len(text), max_bytes, lang)
        line, column = _line_column(text, err.start)
        message = say("lone_surrogate", lang, code=f"\\u{ord(text[err.start]):04x}")
        raise UnreadableSnapshot("encoding", [InputProblem("", message, line, column)]) from None
    _check_size(len(encoded), max_bytes, lang)
    return encoded


def _decode(raw: bytes, lang: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, err.start) + 1 : err.start].decode("utf-8", "replace")) + 1
        message = say("not_utf8", lang, byte=f"{raw[err.start]:02x}")
        raise UnreadableSnapshot("encoding", [InputProblem("", message, line, column)]) from None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _fail(message: str, path: tuple[Any, ...] = (), line: int | None = None, column: int | None = None) -> NoReturn:
    raise UnreadableSnapshot("syntax", [InputProblem(json_pointer(path), message, line, column)])


# ---------------------------------------------------------------------------------------------
# JSON: the C decoder, bounded by a count on the text before it runs and by its hooks.

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_JSON_TOKEN = re.compile(r'[ \t\n\r]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\]:,])|([^ \t\n\r{}\[\]:,"]+))', re.S)


class _JsonRefused(ValueError):
    """A hook refused a value; the scan in :func:`_locate_json` says what and where."""


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _JsonRefused("duplicate key")
    return out


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _JsonRefused("number too long")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _JsonRefused("not finite")
    return value


def _json_constant(text: str) -> NoReturn:
    raise _JsonRefused("not finite")


def _json_syntax(lang: str, name: str, /, **params: Any) -> str:
    return say("invalid_json", lang, what=say(name, lang, **params))


def _parse_json(text: str, lang: str) -> Any:
    _check_json_values(text, lang)
    try:
        data = json.loads(
            text, object_pairs_hook=_json_object, parse_int=_json_int, parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as err:
        _fail(say("invalid_json", lang, what=parser_text(err.msg, lang)), (), err.lineno, err.colno)
    except (_JsonRefused, RecursionError):
        _locate_json(text, lang)
    if _too_deep(data) or (_SURROGATE_ESCAPE.search(text) and not _encodable(data)):
        _locate_json(text, lang)
    return data


def _check_json_values(text: str, lang: str) -> None:
    """Refuse more than MAX_NODES values before parsing: counted on the text, strings left out.

    Each value but the first follows a comma or opens a non-empty container, so
    ``1 + commas + '[' + '{' - '[]' - '{}'`` outside strings is the exact count for valid JSON.
    The cheap bound (all commas and brackets, in strings too) decides first.
    """
    if text.count(",") + text.count("[") + text.count("{") < MAX_NODES:
        return
    bare = re.sub(r"[ \t\n\r]+", "", _JSON_STRING.sub('""', text))
    values = 1 + bare.count(",") + bare.count("[") + bare.count("{") - bare.count("[]") - bare.count("{}")
    if values > MAX_NODES:
        _fail(say("too_many_values", lang, max=number(MAX_NODES, lang)))


def _too_deep(data: Any) -> bool:
    """Any container nested in MAX_DEPTH others (walks the containers level by level)."""
    level = [data] if isinstance(data, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = [
            item
            for container in level
            for item in (container.values() if isinstance(container, dict) else container)
            if isinstance(item, (dict, list))
        ]
        if not level:
            return False
    return bool(level)


def _encodable(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _locate_json(text: str, lang: str) -> NoReturn:
    """Find the first refused value in document order; raise it with its path, line and column.

    Runs only on the error path: a Python scan of the (already size-bounded) text.
    """
    frames: list[list[Any]] = []  # [container kind "{" or "[", key or index, keys seen, expecting key]
    for match in _JSON_TOKEN.finditer(text):
        string, punct, literal = match.groups()
        start = match.start(match.lastindex or 0)
        frame = frames[-1] if frames else None
        path = tuple(f[1] for f in frames)
        if punct in ("{", "["):
            if len(frames) >= MAX_DEPTH:
                _fail(say("too_deep", lang, max=MAX_DEPTH), path, *_line_column(text, start))
            frames.append([punct, None if punct == "{" else 0, set(), punct == "{"])
        elif punct in ("}", "]"):
            frames.pop()
        elif punct == ",":
            if frame is not None and frame[0] == "{":
                frame[3] = True
            elif frame is not None:
                frame[1] += 1
        elif string is not None:
            value = json.loads(string)
            is_key = frame is not None and frame[0] == "{" and frame[3]
            escape = _SURROGATE_ESCAPE.search(string)
            if escape and not _encodable(value):
                message = _json_syntax(lang, "lone_surrogate", code=escape.group(0))
                _fail(message, path[:-1] if is_key else path, *_line_column(text, start))
            if is_key:
                assert frame is not None
                if value in frame[2]:
                    _fail(_json_syntax(lang, "duplicate_key", key=show(value)), path[:-1], *_line_column(text, start))
                frame[2].add(value)
                frame[1], frame[3] = value, False
        elif literal is not None:
            _check_json_literal(literal, lang, path, *_line_column(text, start))
    _fail(say("invalid_json", lang, what=parser_text("Expecting value", lang)))


def _check_json_literal(literal: str, lang: str, path: tuple[Any, ...], line: int, column: int) -> None:
    if literal in ("NaN", "Infinity", "-Infinity"):
        _fail(_json_syntax(lang, "not_finite"), path, line, column)
    if re.fullmatch(r"-?\d+", literal) and len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        _fail(_json_syntax(lang, "number_too_long", max=MAX_NUMBER_DIGITS), path, line, column)
    if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", literal) and float(literal) in (float("inf"), float("-inf")):
        _fail(_json_syntax(lang, "not_finite"), path, line, column)


# ---------------------------------------------------------------------------------------------
# YAML: libyaml's events, built into values here, bounded while they come.

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = (_STR, _INT, _FLOAT, _BOOL, _NULL)
#: YAML 1.1 implicit types as PyYAML's SafeLoader resolves them, except timestamps (kept as text).
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_TRUE = {"yes", "true", "on"}
_EXPECT_KEY = object()


def _resolve(value: str) -> str:
    """The tag of a plain scalar (YAML 1.1, as PyYAML's SafeLoader resolves it)."""
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


class _YamlBuilder:
    """Builds one document's values from libyaml's events, within every bound."""

    def __init__(self, encoded: bytes, lang: str) -> None:
        self.encoded = encoded
        self.lang = lang
        self.nodes = 0
        self.aliases = 0
        self.alias_nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, values it stands for)
        # One frame per open collection: [container, key (mappings) or _EXPECT_KEY, nodes at start, anchor]
        self.stack: list[list[Any]] = []
        self.root: Any = None

    def build(self) -> Any:
        try:
            self._count_events()
            return self._document(CParser(self.encoded))
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            what = parser_text(err.problem or err.context or "", self.lang)
            _fail(say("invalid_yaml", self.lang, what=what), (), *self._mark(mark))
        except yaml.reader.ReaderError as err:
            line, column = self._byte_position(err.position)
            _fail(say("invalid_yaml", self.lang, what=parser_text(err.reason, self.lang)), (), line, column)
        except yaml.YAMLError as err:
            _fail(say("invalid_yaml", self.lang, what=parser_text(str(err), self.lang)))

    def _count_events(self) -> None:
        """Refuse a large document with far too many values before building anything.

        A value needs at least two bytes, so only a document of more than about 2 * MAX_YAML_NODES
        bytes can cross the bound. For those, libyaml counts the events in C (no Python objects, about
        0.25 µs each); a document holds at least a third as many values as it has events (each
        value brings at most a key and an end event with it).
        """
        if len(self.encoded) <= 2 * (MAX_YAML_NODES - MAX_ALIAS_NODES):
            return
        events = CParser(self.encoded).raw_parse()
        if (events - 4) // 3 > MAX_YAML_NODES:
            _fail(say("too_many_yaml_values", self.lang, max=number(MAX_YAML_NODES, self.lang)))

    def _document(self, parser: Any) -> Any:
        get_event = parser.get_event
        get_event()  # stream start
        if isinstance(get_event(), ev.StreamEndEvent):
            return None  # comments only: no document
        root = self._values(get_event)
        event = get_event()  # stream end, or a second document
        if not isinstance(event, ev.StreamEndEvent):
            _fail(self._syntax("several_documents"), (), *self._mark(event.start_mark))
        return root

    def _values(self, get_event: Any) -> Any:
        """Consume one document's events (up to and including its end); return its root value.

        The common case (a plain or quoted scalar that is text) is handled inline: this loop runs
        once per value of the document.
        """
        stack = self.stack
        scalar_event, alias_event, document_end = ev.ScalarEvent, ev.AliasEvent, ev.DocumentEndEvent
        mapping_start, sequence_start = ev.MappingStartEvent, ev.SequenceStartEvent
        implicit_first = _IMPLICIT
        while True:
            event = get_event()
            kind = type(event)
            in_key = bool(stack) and stack[-1][1] is _EXPECT_KEY
            if kind is scalar_event:
                value = event.value
                if event.tag is None and (not event.implicit[0] or value[:1] not in implicit_first):
                    if not in_key:
                        self.nodes += 1
                        if self.nodes > MAX_YAML_NODES:
                            self._count(event, 0)
                else:
                    value = self._scalar(event, in_key)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is mapping_start or kind is sequence_start:
                self._open(event, kind is mapping_start, in_key)
                continue
            elif kind is alias_event:
                value = self._alias(event, in_key)
            elif kind is document_end:
                return self.root
            else:  # the end of a mapping or sequence
                value, _, start, anchor = stack.pop()
                if anchor is not None:
                    self.anchors[anchor] = (value, self.nodes - start + 1)
                in_key = False  # a collection is never a key (refused when it opens)
            if not stack:
                self.root = value
            elif in_key:
                self._key(value, event)
            else:
                frame = stack[-1]
                container = frame[0]
                if type(container) is list:
                    container.append(value)
                else:
                    container[frame[1]] = value
                    frame[1] = _EXPECT_KEY

    def _count(self, event: Any, added: int = 1) -> None:
        self.nodes += added
        if self.nodes > MAX_YAML_NODES:
            _fail(say("too_many_yaml_values", self.lang, max=number(MAX_YAML_NODES, self.lang)), self._path(),
                  *self._mark(event.start_mark))

    def _open(self, event: Any, mapping: bool, in_key: bool) -> None:
        if in_key:
            self._key_not_text(event, "{…}" if mapping else "[…]")
        if event.tag not in (None, "!", _MAP if mapping else _SEQ):
            _fail(self._syntax("tag", tag=_short_tag(event.tag)), self._path(), *self._mark(event.start_mark))
        if len(self.stack) >= MAX_DEPTH:
            _fail(say("too_deep", self.lang, max=MAX_DEPTH), self._path(), *self._mark(event.start_mark))
        self._count(event)
        self.stack.append([{} if mapping else [], _EXPECT_KEY if mapping else None, self.nodes, event.anchor])

    def _alias(self, event: Any, in_key: bool) -> Any:
        if event.anchor not in self.anchors:
            _fail(self._syntax("unknown_alias", name=event.anchor), self._path(), *self._mark(event.start_mark))
        value, size = self.anchors[event.anchor]
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            _fail(say("too_many_aliases", self.lang, max=number(MAX_ALIASES, self.lang)), self._path(),
                  *self._mark(event.start_mark))
        if not in_key:
            self.alias_nodes += size
            if self.alias_nodes > MAX_ALIAS_NODES:
                _fail(say("alias_expansion", self.lang, max=number(MAX_ALIAS_NODES, self.lang)), self._path(),
                      *self._mark(event.start_mark))
            self._count(event, size)
        return value

    def _scalar(self, event: Any, in_key: bool) -> Any:
        text: str = event.value
        tag = event.tag
        if tag is None and event.implicit[0]:
            tag = _resolve(text)
        elif tag in (None, "!"):
            tag = _STR  # quoted, or the non-specific tag: text
        elif tag == _FLOAT and _resolve(text) == _INT:
            return float(self._int(text, event))
        elif tag not in _SCALAR_TAGS or (tag != _STR and _resolve(text) != tag):
            _fail(self._syntax("tag", tag=_short_tag(tag)), self._path(), *self._mark(event.start_mark))
        if not in_key:
            self._count(event)
        if tag == _STR:
            return text
        if tag == _INT:
            return self._int(text, event)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() in _TRUE
        if tag == _FLOAT:
            return self._float(text, event)
        if tag == _MERGE and in_key:
            _fail(self._syntax("merge_key"), self._path(), *self._mark(event.start_mark))
        return text  # "<<" as a value, or YAML 1.1's "=": plain text here

    def _int(self, text: str, event: Any) -> int:
        """YAML 1.1 integers (as SafeLoader reads them), bounded before any conversion."""
        if text.isdigit() and text[0] != "0" and len(text) <= MAX_NUMBER_DIGITS:
            return int(text)  # plain decimal: the common case
        digits = text.replace("_", "")
        sign = -1 if digits[:1] == "-" else 1
        digits = digits.lstrip("+-")
        if len(digits) > 4 * MAX_NUMBER_DIGITS:  # no notation packs more than 4 digits' worth into less
            self._number_too_long(event)
        if digits == "0":
            value = 0
        elif digits.startswith("0b"):
            value = int(digits[2:], 2)
        elif digits.startswith("0x"):
            value = int(digits[2:], 16)
        elif digits.startswith("0"):
            value = int(digits, 8)
        elif ":" in digits:
            value = _base_60(digits, int)
        else:
            value = int(digits)
        if value >= 10**MAX_NUMBER_DIGITS:
            self._number_too_long(event)
        return sign * value

    def _number_too_long(self, event: Any) -> NoReturn:
        _fail(self._syntax("number_too_long", max=MAX_NUMBER_DIGITS), self._path(), *self._mark(event.start_mark))

    def _float(self, text: str, event: Any) -> float:
        digits = text.replace("_", "").lower()
        sign = -1.0 if digits[:1] == "-" else 1.0
        digits = digits.lstrip("+-")
        if digits in (".inf", ".nan"):
            _fail(self._syntax("not_finite"), self._path(), *self._mark(event.start_mark))
        value = _base_60(digits, float) if ":" in digits else float(digits)
        if value == float("inf"):
            _fail(self._syntax("not_finite"), self._path(), *self._mark(event.start_mark))
        return sign * value

    def _key(self, key: Any, event: Any) -> None:
        frame = self.stack[-1]
        if not isinstance(key, str):
            self._key_not_text(event, show(key) if not isinstance(key, (dict, list)) else "{…}")
        if key in frame[0]:
            _fail(self._syntax("duplicate_key", key=show(key)), self._path(), *self._mark(event.start_mark))
        frame[1] = key

    def _key_not_text(self, event: Any, shown: str) -> NoReturn:
        text = getattr(event, "value", None)
        if isinstance(text, str) and event.implicit[0] and _resolve(text) == _BOOL:
            message = self._syntax("key_read_as_boolean", key=text)
        else:
            message = self._syntax("key_not_text", key=text if isinstance(text, str) else shown)
        _fail(message, self._path(), *self._mark(event.start_mark))

    def _path(self) -> tuple[Any, ...]:
        """Where the value being built goes: the keys and indexes of the open collections."""
        path: list[Any] = []
        for container, key, _, _ in self.stack:
            if isinstance(container, list):
                path.append(len(container))
            elif key is not _EXPECT_KEY:
                path.append(key)
        return tuple(path)

    def _syntax(self, name: str, /, **params: Any) -> str:
        return say("invalid_yaml", self.lang, what=say(name, self.lang, **params))

    @staticmethod
    def _mark(mark: Any) -> tuple[int | None, int | None]:
        return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)

    def _byte_position(self, position: int) -> tuple[int, int]:
        before = self.encoded[:position]
        line_start = before.rfind(b"\n") + 1
        return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def _base_60(digits: str, convert: Any) -> Any:
    """YAML 1.1's sexagesimal numbers: 1:30 is 90, 1:30.5 is 90.5."""
    value = convert(0)
    for part in digits.split(":"):
        value = value * 60 + convert(part)
    return value


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
