"""Step 2: check a parsed snapshot against the contract (schemas/snapshot.schema.json).

Returns every violation as an :class:`InputProblem` with its JSON pointer, schema errors and the
cross-field checks JSON Schema cannot express (unique administration codes) alike, worded in the
reader's language from the failing keyword and its values (:mod:`input_messages`), with a hint
where a common hand-writing mistake is the likely cause (an unquoted code, a time without offset,
a value close to an allowed one).

A compiled validator (jsonschema-rs, ~100x faster) answers "valid?" and lists the errors;
python-jsonschema is the second opinion (``fast=False``), never imported on the way of a check.
Both read the same schema file and the same ``date-time`` check
(:func:`preflight.timestamps.problem`), their errors are worded by the same code, and a property
test holds their lists of problems equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

import jsonschema_rs

from . import timestamps
from .input_messages import (
    DEFAULT_LANG,
    check_lang,
    closest,
    found,
    number,
    say,
    show,
    type_names,
    with_hints,
)
from .problems import InputProblem, json_pointer
from .resources import load_schema

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

#: Most problems listed for one snapshot; past it, one more says that there are more.
MAX_PROBLEMS = 100
#: Most users of all administrations together (checked in code: JSON Schema cannot sum). Each can
#: be a finding (a personal archive is lost), and 80,000 of them took durable-rules 17 s and
#: 900 MB on a loaded machine; 20,000 is more than an office with thousands of administrations has.
MAX_ADMINISTRATION_USERS = 20_000
_MAX_MESSAGE = 240
#: Fields that hold codes: a number there is almost always an unquoted code in YAML.
_CODE_FIELDS = {"code", "new_code", "subadministration_of", "package_administrations", "administrations"}


@cache
def _validator() -> Draft202012Validator:
    """python-jsonschema, imported only when a snapshot is invalid: it lists the errors."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = load_schema("snapshot.schema.json")
    Draft202012Validator.check_schema(schema)
    checker = FormatChecker(formats=())
    checker.checks("date-time")(timestamps.is_valid)
    return Draft202012Validator(schema, format_checker=checker)


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.validator_for(
        load_schema("snapshot.schema.json"), validate_formats=True, formats={"date-time": timestamps.is_valid}
    )


def _fast_valid(data: Any) -> bool:
    try:
        return bool(_fast_validator().is_valid(data))
    except (ValueError, TypeError, OverflowError):  # e.g. numbers it cannot represent
        return False


def validate_snapshot(data: Any, *, fast: bool = True, lang: str = DEFAULT_LANG) -> list[InputProblem]:
    """All contract violations of ``data`` (at most MAX_PROBLEMS, then one saying so), sorted by path."""
    check_lang(lang)
    problems: set[InputProblem] = set()
    more = False
    if not (fast and _fast_valid(data)):
        leaves = _fast_failures(data) if fast else None
        if leaves is None:
            leaves = _leaf_errors(_validator().iter_errors(data))
        for err in islice(leaves, MAX_PROBLEMS):
            problems.update(_problems(err, lang))
        more = next(leaves, None) is not None
    problems.update(islice(_duplicate_codes(data, lang), MAX_PROBLEMS + 1))
    problems.update(_too_many_users(data, lang))
    listed = sorted(problems, key=lambda p: (_path_key(p.path), p.message))
    if more or len(listed) > MAX_PROBLEMS:
        more_problems = say("more_problems", lang, shown=number(MAX_PROBLEMS, lang))
        listed = [*listed[:MAX_PROBLEMS], InputProblem("", more_problems)]
    return listed


@dataclass(frozen=True)
class _Failure:
    """One jsonschema-rs error in the shape python-jsonschema's errors have (what _problems reads)."""

    validator: str
    validator_value: Any
    instance: Any
    absolute_path: tuple[str | int, ...]
    message: str


def _fast_failures(data: Any) -> Iterator[Any] | None:
    """jsonschema-rs's errors, or None when it cannot read ``data`` (python-jsonschema lists them then).

    The compiled validator finds the errors of a large snapshot in milliseconds where
    python-jsonschema takes seconds (10,001 administrations: 6 s); both are worded by
    :func:`_problems`, and the property test holds their lists equal.
    """
    schema = load_schema("snapshot.schema.json")
    try:
        errors = list(islice(_fast_validator().iter_errors(data), MAX_PROBLEMS + 1))
    except (ValueError, TypeError, OverflowError):
        return None
    failures = []
    for err in errors:
        location = list(err.schema_path)
        value: Any = schema
        for part in location:
            value = value[part]
        failures.append(_Failure(str(location[-1]), value, err.instance, tuple(err.instance_path), err.message))
    return iter(failures)


def _leaf_errors(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Replace 'not valid under any of the given schemas' by the errors of the branch that applies."""
    for err in errors:
        if err.validator in ("anyOf", "oneOf") and err.context:
            branches: dict[Any, list[ValidationError]] = {}
            for sub in err.context:
                branches.setdefault(sub.schema_path[0], []).append(sub)
            # The branch a null-or-object value was meant for is the one not failing on its type.
            useful = [
                subs for subs in branches.values()
                if not all(s.validator == "type" and not s.relative_path for s in subs)
            ]
            if len(useful) == 1:
                yield from _leaf_errors(iter(useful[0]))
                continue
        yield err


def _problems(err: ValidationError | _Failure, lang: str) -> list[InputProblem]:
    """The problems one schema error stands for, worded from its keyword and values."""
    path = json_pointer(err.absolute_path)
    if err.validator == "required":
        present = err.instance if isinstance(err.instance, dict) else {}
        return [
            InputProblem(path, with_hints(say("required", lang, name=name), _required_hints(name, lang)))
            for name in cast(list[str], err.validator_value)
            if name not in present
        ]
    return [InputProblem(path, _word(err, lang))]


def _word(err: ValidationError | _Failure, lang: str) -> str:
    keyword, limit, value = str(err.validator), cast(Any, err.validator_value), cast(Any, err.instance)
    field = next((part for part in reversed(err.absolute_path) if isinstance(part, str)), "")
    if keyword == "type":
        message = say("type", lang, expected=type_names(limit, lang), found=found(value, lang))
        return with_hints(message, _type_hints(limit, value, field, lang))
    if keyword == "const":
        hints = [say("hint_snapshot_version", lang)] if field == "snapshot_version" else []
        return with_hints(say("const", lang, expected=show(limit), found=found(value, lang)), hints)
    if keyword == "enum":
        message = say("enum", lang, found=show(value), allowed=", ".join(str(v) for v in limit))
        near = closest(value, [str(v) for v in limit]) if isinstance(value, str) else None
        return with_hints(message, [say("hint_closest", lang, name=near)] if near else [])
    if keyword in ("minimum", "maximum"):
        hints = [say("hint_not_negative", lang)] if keyword == "minimum" and limit == 0 else []
        return with_hints(say(keyword, lang, found=show(value), limit=show(limit)), hints)
    if keyword == "minLength" and limit == 1:
        return say("empty_text", lang)
    if keyword in ("minLength", "maxLength"):
        return say(keyword, lang, length=number(len(value), lang), limit=number(limit, lang))
    if keyword == "minItems" and limit == 1:
        return say("empty_list", lang)
    if keyword in ("minItems", "maxItems"):
        return say(keyword, lang, count=number(len(value), lang), limit=number(limit, lang))
    if keyword == "format" and limit == "date-time" and isinstance(value, str):
        return _date_time_message(value, lang)
    if keyword == "pattern":
        return say("pattern", lang, found=show(value), pattern=limit)
    message = err.message if len(err.message) <= _MAX_MESSAGE else err.message[: _MAX_MESSAGE - 1] + "…"
    return say("other_violation", lang, keyword=keyword, message=message)


def _required_hints(name: str, lang: str) -> list[str]:
    return [say("hint_transfer_code_sent_at", lang)] if name == "transfer_code_sent_at" else []


def _type_hints(expected: Any, value: Any, field: str, lang: str) -> list[str]:
    """Text written without quotes that YAML read as a number or as true/false."""
    if "string" not in (expected if isinstance(expected, list) else [expected]):
        return []
    if isinstance(value, bool):
        return [say("hint_boolean_quotes", lang)]
    if isinstance(value, (int, float)):
        return [say("hint_code_quotes" if field in _CODE_FIELDS else "hint_text_quotes", lang)]
    return []


def _date_time_message(value: str, lang: str) -> str:
    kind = timestamps.problem(value) or "form"
    shown = show(value)
    if kind == "no_offset":
        example = value if value.count(":") >= 2 else value + ":00"
        return with_hints(say("date_time_no_offset", lang, found=shown),
                          [say("hint_offset", lang, example=example[:32] + "+01:00")])
    if kind == "date_only":
        return with_hints(say("date_time_date_only", lang, found=shown),
                          [say("hint_time_and_offset", lang, example=value + "T09:30:00+01:00")])
    return say(f"date_time_{kind}", lang, found=shown)


def _duplicate_codes(data: Any, lang: str) -> Iterator[InputProblem]:
    administrations = data.get("administrations") if isinstance(data, dict) else None
    if not isinstance(administrations, list):
        return
    first_seen: dict[str, int] = {}
    for index, item in enumerate(administrations):
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str):
            continue
        if code in first_seen:
            message = say("duplicate_code", lang, code=show(code), other=f"/administrations/{first_seen[code]}")
            yield InputProblem(f"/administrations/{index}/code", message)
        else:
            first_seen[code] = index


def _too_many_users(data: Any, lang: str) -> list[InputProblem]:
    administrations = data.get("administrations") if isinstance(data, dict) else None
    if not isinstance(administrations, list):
        return []
    users = sum(
        len(item["users"]) for item in administrations if isinstance(item, dict) and isinstance(item.get("users"), list)
    )
    if users <= MAX_ADMINISTRATION_USERS:
        return []
    message = say("too_many_users", lang, count=number(users, lang), max=number(MAX_ADMINISTRATION_USERS, lang))
    return [InputProblem("/administrations", message)]


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    """Sort pointers so that /administrations/10 comes after /administrations/9."""
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in path.split("/"))
