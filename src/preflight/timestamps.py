"""RFC 3339 date-times as epoch seconds, the only time arithmetic the rules need."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_seconds(text: str) -> int:
    """Whole seconds since 1970-01-01T00:00Z; a leap second (:60) counts as :59.

    Raises ValueError for text that is not an RFC 3339 date-time with an offset.
    """
    match = _RFC3339.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time with an offset")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        if match.group(8):
            tz = UTC
        else:
            sign = 1 if match.group(9) == "+" else -1
            offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
            tz = timezone(sign * offset)
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=tz)
    except (ValueError, OverflowError) as err:
        raise ValueError(f"{text!r} is not a valid date-time: {err}") from None
    return int((moment - _EPOCH).total_seconds())
