"""RFC 3339 date-times: one definition of valid, exact instants, and ages exact at the 15-day boundary."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from preflight import timestamps
from preflight.pipeline import check


@pytest.fixture()
def code_sent(examples_dir):
    data = json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))
    data["migration"]["status"] = "code_sent"
    return data


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2026-11-27T09:30:00+01:00", None),
        ("2026-11-27t09:30:00z", None),
        ("2026-11-27 09:30:00Z", None),
        ("2016-12-31T23:59:60Z", None),
        ("2016-12-31T18:29:60-05:30", None),
        ("2026-11-27T09:30:00", "no_offset"),
        ("2026-11-27T09:30", "no_offset"),
        ("2026-11-27", "date_only"),
        ("2026-02-30T00:00:00Z", "impossible"),
        ("2026-11-27T09:30:00+24:00", "impossible"),
        ("2026-11-27T09:30:00+01:60", "impossible"),
        ("2026-11-27T23:59:61Z", "impossible"),
        ("2026-11-27T12:00:60Z", "leap_second"),
        ("27-11-2026 09:30", "form"),
    ],
)
def test_problem_names_what_is_wrong(text, kind):
    """Each way a date-time can be wrong has its own kind (the validator words a hint from it)."""
    assert timestamps.problem(text) == kind
    assert timestamps.is_valid(text) is (kind is None)


def test_instants_keep_fractions_and_whole_seconds_drop_them():
    """The exact instant keeps every digit of the fraction; epoch_seconds rounds down."""
    assert timestamps.instant("1970-01-01T00:00:01.25Z") == Fraction(5, 4)
    assert timestamps.epoch_seconds("1970-01-01T00:00:01.999999Z") == 1
    assert timestamps.epoch_seconds("1969-12-31T23:59:59.5Z") == -1


def test_a_leap_second_counts_as_the_second_before():
    """23:59:60.5 is the same instant as 23:59:59.5 (POSIX time repeats that second)."""
    assert timestamps.instant("2016-12-31T23:59:60.5Z") == timestamps.instant("2016-12-31T23:59:59.5Z")


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_half_a_second_past_fifteen_days_is_expired(code_sent, engine):
    """A transfer code sent 15 days and 0.5 s before the snapshot has expired, on both engines."""
    code_sent["migration"]["transfer_code_sent_at"] = "2026-11-12T09:30:00+01:00"
    code_sent["taken_at"] = "2026-11-27T09:30:00.5+01:00"
    rules = {f.rule for f in check(code_sent, engine=engine).findings}
    assert "transfer-code-expired" in rules
    code_sent["taken_at"] = "2026-11-27T09:30:00+01:00"
    rules = {f.rule for f in check(code_sent, engine=engine).findings}
    assert "transfer-code-expired" not in rules
