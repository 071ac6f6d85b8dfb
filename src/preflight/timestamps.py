"""RFC 3339 date-times: the one definition of a valid ``date-time``, and the time arithmetic rules need.

:func:`problem` is what both validation paths (jsonschema-rs and python-jsonschema) call as their
``date-time`` format check, so a date-time is valid or not in the same way everywhere:

- ``YYYY-MM-DDTHH:MM:SS[.fraction]`` followed by ``Z`` or an offset ``±HH:MM`` (``T``/``Z`` in either
  case; a space for the ``T`` is accepted, as RFC 3339 allows);
- the date must exist, the offset be less than 24 hours;
- a leap second (``:60``) is valid where one can occur: at 23:59:60 UTC (e.g.
  ``2016-12-31T23:59:60Z`` or ``2017-01-01T00:59:60+01:00``). It counts as ``:59`` (POSIX time
  repeats that second).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)
_WITHOUT_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_MINUTE_OF_A_DAY = 23 * 60 + 59


def problem(text: str) -> str | None:
    """Why ``text`` is not a valid date-time, as a kind; None when it is valid.

    Kinds: ``no_offset`` (a date and time without ``Z`` or ``±HH:MM``), ``date_only``,
    ``impossible`` (no such date or time, or an offset of 24 hours or more), ``leap_second``
    (``:60`` other than at 23:59:60 UTC), ``form`` (anything else).
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        if _WITHOUT_OFFSET.fullmatch(text):
            return "no_offset"
        return "date_only" if _DATE_ONLY.fullmatch(text) else "form"
    try:
        _moment(match)
    except ValueError:
        return "impossible"
    second, hour, minute = int(match.group(6)), int(match.group(4)), int(match.group(5))
    if second == 60 and (hour * 60 + minute - _offset_minutes(match)) % 1440 != _LAST_MINUTE_OF_A_DAY:
        return "leap_second"
    return None


def is_valid(text: object) -> bool:
    """True for text that is a valid RFC 3339 date-time with an offset (the format check)."""
    return not isinstance(text, str) or problem(text) is None


def epoch_seconds(text: str) -> int:
    """Whole seconds since 1970-01-01T00:00Z (fractions dropped); a leap second counts as :59.

    Raises ValueError for text that is not a valid date-time (see :func:`problem`).
    """
    return math.floor(instant(text))


def instant(text: str) -> Fraction:
    """Exact seconds since 1970-01-01T00:00Z, fractions of a second included."""
    kind = problem(text)
    if kind is not None:
        raise ValueError(f"{text[:64]!r} is not a valid RFC 3339 date-time with an offset ({kind})")
    match = _RFC3339.fullmatch(text)
    assert match is not None  # checked by problem()
    whole = int((_moment(match) - _EPOCH).total_seconds())
    digits = match.group(7) or ""
    return whole + Fraction(int(digits or "0"), 10 ** len(digits))


def _offset_minutes(match: re.Match[str]) -> int:
    if match.group(8):
        return 0
    sign = 1 if match.group(9) == "+" else -1
    return sign * (int(match.group(10)) * 60 + int(match.group(11)))


def _moment(match: re.Match[str]) -> datetime:
    """The whole-second moment of a matched date-time; ValueError when no calendar has it."""
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        tz = UTC if match.group(8) else timezone(timedelta(minutes=_offset_minutes(match)))
        if int(match.group(11) or 0) > 59 or second > 60:
            raise ValueError("offset minutes past 59, or seconds past 60")
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=tz)
    except (ValueError, OverflowError) as err:
        raise ValueError(str(err)) from None
