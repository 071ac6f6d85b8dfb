"""Step 2: check a parsed snapshot against the contract (schemas/snapshot.schema.json).

Returns every violation as an :class:`InputProblem` with its JSON pointer, schema errors and the
cross-field checks JSON Schema cannot express (unique administration codes) alike.

Most snapshots are valid, so a compiled validator (jsonschema-rs, ~100x faster) answers "valid?"
first; only when it says no, or a cross-field check fails, does python-jsonschema list the
errors with its paths and wording. Both read the same schema file; a property test keeps them
in agreement.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from .problems import InputProblem, json_pointer
from .resources import load_schema
from .timestamps import epoch_seconds

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

_MAX_MESSAGE = 240


@cache
def _validator() -> Draft202012Validator:
    """python-jsonschema, imported only when a snapshot is invalid: it words the errors.

    Its ``date-time`` format check is ours (:func:`preflight.timestamps.epoch_seconds`), not the
    ``format-nongpl`` extra's: that extra imports ``rfc3987_syntax``, which compiles a grammar at
    import and costs every process about 1.5 s, for IRI formats the contract never uses.
    """
    from jsonschema import Draft202012Validator, FormatChecker

    schema = load_schema("snapshot.schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_format_checker(FormatChecker))


def _format_checker(checker_class: Any) -> Any:
    """A format checker that knows ``date-time`` only: RFC 3339 with an offset, as the rules read it."""
    checker = checker_class(formats=())

    @checker.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        if isinstance(value, str):
            epoch_seconds(value)
        return True

    return checker


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.validator_for(load_schema("snapshot.schema.json"), validate_formats=True)


def _fast_valid(data: Any) -> bool:
    try:
        return bool(_fast_validator().is_valid(data))
    except (ValueError, TypeError, OverflowError):  # e.g. numbers it cannot represent
        return False


def validate_snapshot(data: Any, *, fast: bool = True) -> list[InputProblem]:
    """All contract violations of ``data``, sorted by path; empty when the snapshot is valid."""
    if fast and _fast_valid(data):
        cross = list(_duplicate_codes(data)) + list(_impossible_dates(data))
        if not cross:
            return []
    problems = {_problem(err) for err in _leaf_errors(_validator().iter_errors(data))}
    problems.update(_duplicate_codes(data))
    flagged = {p.path for p in problems}
    problems.update(p for p in _impossible_dates(data) if p.path not in flagged)
    return sorted(problems, key=lambda p: (_path_key(p.path), p.message))


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


def _problem(err: ValidationError) -> InputProblem:
    message = err.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return InputProblem(json_pointer(err.absolute_path), message)


def _duplicate_codes(data: Any) -> Iterator[InputProblem]:
    administrations = data.get("administrations") if isinstance(data, dict) else None
    if not isinstance(administrations, list):
        return
    first_seen: dict[str, int] = {}
    for index, item in enumerate(administrations):
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str):
            continue
        if code in first_seen:
            yield InputProblem(
                f"/administrations/{index}/code",
                f"duplicate administration code {code!r} (also at /administrations/{first_seen[code]})",
            )
        else:
            first_seen[code] = index


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    """Sort pointers so that /administrations/10 comes after /administrations/9."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.split("/"))


def _impossible_dates(data: Any) -> Iterator[InputProblem]:
    """Date-times the format check lets through but no calendar has (e.g. year 0000)."""
    if not isinstance(data, dict):
        return
    migration = data.get("migration")
    candidates = [("/taken_at", data.get("taken_at"))]
    if isinstance(migration, dict):
        candidates.append(("/migration/transfer_code_sent_at", migration.get("transfer_code_sent_at")))
    for path, value in candidates:
        if isinstance(value, str):
            try:
                epoch_seconds(value)
                if value[17:19] == "60":  # a leap second: RFC 3339 allows it, the format check does not
                    raise ValueError(value)
            except ValueError:
                yield InputProblem(path, f"{value!r} is not a valid RFC 3339 date-time with an offset")
