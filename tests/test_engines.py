"""The evaluators agree: the same report, byte for byte, from every engine on generated snapshots.

The rule language's own fuzzer (random rule books, every engine) is tests/test_rule_fuzz.py.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.pipeline import available_engines, check
from preflight.snapshot_validator import validate_snapshot

from .snapshot_strategies import snapshots

#: Generated snapshots every evaluator checks in `make test` (seeded: derandomized under CI=true).
DIFFERENTIAL_EXAMPLES = 10_000


@settings(max_examples=DIFFERENTIAL_EXAMPLES)
@given(snapshots(), st.sampled_from(["nl", "en"]), st.booleans())
def test_every_engine_gives_the_same_report_json(snapshot, lang, readiness_only):
    """On 10,000 generated snapshots (both languages, with and without the migration request) the
    compiled engine, durable-rules (where it imports) and the interpreter give byte-identical reports."""
    assert validate_snapshot(snapshot) == []
    reports = {
        engine: check(snapshot, engine=engine, lang=lang, readiness_only=readiness_only).to_json(indent=None)
        for engine in available_engines()
    }
    assert len(set(reports.values())) == 1, reports
