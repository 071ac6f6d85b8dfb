"""The evaluators agree on generated snapshots, and the durable-rules engine's traps are guarded."""

from __future__ import annotations

import json
import random
import resource
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight import engine_durable
from preflight.engine_durable import DurableEngine
from preflight.engine_python import PythonEngine
from preflight.facts import FactSet, derive_facts
from preflight.pipeline import available_engines, check
from preflight.rulebook import default_rulebook
from preflight.snapshot_validator import validate_snapshot

from .snapshot_strategies import snapshots


def findings(report):
    return [f.to_dict() for f in report.findings]


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


@pytest.fixture(scope="module")
def engines():
    book = default_rulebook()
    return DurableEngine(book), PythonEngine(book)


def blocked_snapshot(examples_dir):
    import yaml

    return yaml.safe_load((examples_dir / "blocked.yaml").read_text(encoding="utf-8"))


def test_fact_order_does_not_change_the_result(engines, examples_dir):
    """Negations hold whatever order the facts are asserted in (the sentinel guard)."""
    durable, python = engines
    facts = derive_facts(blocked_snapshot(examples_dir))
    expected = python.evaluate(facts)
    rng = random.Random(7)
    for _ in range(30):
        shuffled = list(facts.facts)
        rng.shuffle(shuffled)
        assert durable.evaluate(FactSet(facts.phase, tuple(shuffled), facts.lists)) == sorted(expected)


def test_duplicate_identity_is_retried(engines, examples_dir, monkeypatch):
    """When durable-rules reports a duplicate identity (code 2), the evaluation is retried."""
    durable, python = engines
    facts = derive_facts(blocked_snapshot(examples_dir))
    real = engine_durable._engine.assert_facts
    calls = []

    def flaky(handle, payload):
        calls.append(payload)
        code, state = real(handle, payload)
        return (2 if len(calls) == 1 else code, state)

    monkeypatch.setattr(engine_durable._engine, "assert_facts", flaky)
    assert durable.evaluate(facts) == sorted(python.evaluate(facts))
    assert len(calls) == 2
    assert json.loads(calls[0])[0]["id"] != json.loads(calls[1])[0]["id"]


def test_identity_hash_collisions_are_avoided_before_asserting(engines, examples_dir, monkeypatch):
    """Ids that collide in the engine's 32-bit hash are re-salted before they reach it."""
    durable, python = engines
    facts = derive_facts(blocked_snapshot(examples_dir))
    real_hash = engine_durable.fnv1_32
    monkeypatch.setattr(engine_durable, "fnv1_32", lambda text: 1 if text.startswith("0.") else real_hash(text))
    assert durable.evaluate(facts) == sorted(python.evaluate(facts))


def test_identity_hash_matches_the_engine():
    """FNV-1a 32 as the C core computes it (known test vectors)."""
    assert engine_durable.fnv1_32("") == 0x811C9DC5
    assert engine_durable.fnv1_32("a") == 0xE40C292C
    assert engine_durable.fnv1_32("foobar") == 0xBF9CF968


def test_concurrent_threads_get_correct_results(engines, examples_dir):
    """Evaluations from several threads are serialised and each gets its own answer."""
    durable, python = engines
    snapshot = blocked_snapshot(examples_dir)
    expected = sorted(python.evaluate(derive_facts(snapshot)))
    errors = []

    def work():
        for _ in range(50):
            if durable.evaluate(derive_facts(snapshot)) != expected:
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_memory_stays_flat_over_many_evaluations(engines, examples_dir):
    """Sessions are deleted: 3,000 evaluations do not grow memory (a leak is ~0.46 MiB each)."""
    durable, _ = engines
    facts = derive_facts(blocked_snapshot(examples_dir))
    for _ in range(300):
        durable.evaluate(facts)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(3000):
        durable.evaluate(facts)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50 * 1024, f"peak RSS grew {grown_kib} KiB"


def test_more_sessions_than_the_engine_holds(engines, examples_dir):
    """Past 1,024 evaluations the engine still answers (a live session is never kept)."""
    durable, python = engines
    facts = derive_facts(blocked_snapshot(examples_dir))
    expected = sorted(python.evaluate(facts))
    for _ in range(1100):
        result = durable.evaluate(facts)
    assert result == expected


def test_facts_of_the_wrong_type_never_reach_the_engine(engines, examples_dir):
    """A string where the catalogue says int is refused before durable-rules compares loosely."""
    from preflight.activation import EngineError

    durable, _ = engines
    facts = derive_facts(blocked_snapshot(examples_dir))
    bad = [f for f in facts.facts if f.scope == "administration"][0]
    bad.fields["pending_authorisation"] = "7"
    with pytest.raises(EngineError, match="should be int"):
        durable.evaluate(facts)
