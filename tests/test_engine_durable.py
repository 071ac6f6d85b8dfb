"""The durable-rules adapter: every trap of shared/notes/durable-rules.md guarded, the rule language
evaluated exactly or refused, never a wrong answer, a leak or a crash.

Skipped where durable-rules does not import (Python 3.13).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from preflight.pipeline import engine_unavailable

if engine_unavailable("durable"):
    pytest.skip(engine_unavailable("durable"), allow_module_level=True)

from preflight import engine_durable  # noqa: E402 - only where durable-rules imports
from preflight.activation import EngineError  # noqa: E402
from preflight.engine_durable import DurableEngine  # noqa: E402
from preflight.engine_python import PythonEngine  # noqa: E402
from preflight.facts import FactSet, derive_facts  # noqa: E402
from preflight.pipeline import check  # noqa: E402
from preflight.rule_examples import load_base, merge  # noqa: E402
from preflight.rulebook import RuleBook, default_rulebook, load_rulebook  # noqa: E402

from .rule_books import write_book  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


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
        assert sorted(durable.evaluate(FactSet(facts.phase, tuple(shuffled), facts.lists))) == sorted(expected)


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


# -- the rule language, exactly -----------------------------------------------------------------


def rule(scope: str, when: dict[str, Any], index: int = 0, **extra: Any) -> dict[str, Any]:
    """A rule of ``scope`` with condition ``when`` (texts and examples are placeholders)."""
    kind = {"administration": "administration", "user": "user", "migration": "migration"}.get(scope, "office")
    return {
        "id": f"rule-{index}", "title": {"nl": "Regel", "en": "Rule"}, "severity": "blocking", "mode": "audit",
        "scope": scope, "step": "the-request", "faq": "Vraag?", "faq_url": "https://example.nl/faq", "when": when,
        "message": {"nl": "In {code}" if scope == "administration" else "Iets", "en": "In {code}" if scope == "administration" else "Something"},
        "remedy": {"nl": "Doe iets", "en": "Do something"},
        "examples": [{"name": "fires", "snapshot": {}, "fires": [kind if kind == "migration" else f"{kind}:x"]},
                     {"name": "silent", "snapshot": {}, "fires": []}],
        **extra,
    }


def book_of(tmp_path: Path, *rules: dict[str, Any]) -> RuleBook:
    return load_rulebook(write_book(tmp_path / "rules", list(rules)))


def snapshot_with(**changes: Any) -> dict[str, Any]:
    """The rule examples' base snapshot, merged with ``changes`` (audit mode unless given)."""
    base = {k: v for k, v in load_base().items() if k != "migration"}
    return merge(base, changes)


def fired(book: RuleBook, snapshot: dict[str, Any]) -> dict[str, list[str]]:
    """Per engine, the subjects of the findings (the reports must be equal besides)."""
    reports = {engine: check(snapshot, engine=engine, rulebook=book) for engine in ("python", "durable", "compiled")}
    return {engine: [f.subject for f in report.findings] for engine, report in reports.items()}


def assert_agree(book: RuleBook, snapshot: dict[str, Any], expected: list[str]) -> None:
    subjects = fired(book, snapshot)
    assert subjects == {"python": expected, "durable": expected, "compiled": expected}
    reports = {check(snapshot, engine=e, rulebook=book).to_json() for e in ("python", "durable", "compiled")}
    assert len(reports) == 1


TWO_ADMINS = [{"code": "1001", "accounting_system": "twinfield", "pending_authorisation": 3},
              {"code": "1002", "accounting_system": "exact_online", "pending_authorisation": 1}]


def test_a_ref_beside_another_comparison_on_the_same_fact_is_exact(tmp_path):
    """{ref} to another fact after a comparison on the same fact: durable-rules once skipped the
    join (its expression list stopped at the first nested group) and fired for 1001 too."""
    book = book_of(tmp_path, rule("administration", {"all": [
        {"gt": {"pending_authorisation": 0}},
        {"lt": {"pending_authorisation": {"ref": "target_office.administrations_count"}}},
    ]}))
    snapshot = snapshot_with(administrations=TWO_ADMINS, target_office={"administrations": ["7001", "7002"]})
    assert_agree(book, snapshot, ["administration:1002"])


def test_in_beside_a_ref_is_exact(tmp_path):
    """in: [...] and a {ref} on the same fact: exact on every engine."""
    book = book_of(tmp_path, rule("administration", {"all": [
        {"in": {"accounting_system": ["twinfield", "xero"]}},
        {"eq": {"accounting_system": {"ref": "target_office.accounting_link"}}},
    ]}))
    assert_agree(book, snapshot_with(administrations=TWO_ADMINS), [])
    assert_agree(book, snapshot_with(administrations=TWO_ADMINS, target_office={"accounting_link": "twinfield"}),
                 ["administration:1001"])


def test_a_ref_inside_any_is_exact(tmp_path):
    """any: [{ref} comparison, other test]: durable-rules once dropped the other branch (and
    fired for every fact in other shapes); each alternative is now a durable rule of its own."""
    book = book_of(tmp_path, rule("administration", {"any": [
        {"eq": {"accounting_system": {"ref": "target_office.accounting_link"}}},
        {"gt": {"pending_authorisation": 2}},
    ]}))
    # 1001: twinfield ≠ exact_online, but 3 pending: fires by the second branch; 1002 by the first.
    assert_agree(book, snapshot_with(administrations=TWO_ADMINS), ["administration:1001", "administration:1002"])
    assert_agree(book, snapshot_with(administrations=TWO_ADMINS[:1], target_office={"accounting_link": "xero"}),
                 ["administration:1001"])


def test_huge_counts_compared_with_each_other_stay_exact(tmp_path):
    """Integers past 2**63 are clamped by durable-rules; compared with each other by {ref} they
    were equal there. The adapter asserts their rank beyond 2**53 instead: exact."""
    book = book_of(tmp_path, rule("administration", {"lt": {"pending_authorisation": {"ref": "documents_total"}}}))
    snapshot = snapshot_with(administrations=[
        {"code": "1001", "pending_authorisation": 2**70, "documents_total": 2**71},
        {"code": "1002", "pending_authorisation": 2**71, "documents_total": 2**70},
        {"code": "1003", "pending_authorisation": 5, "documents_total": 2**64},
    ])
    assert_agree(book, snapshot, ["administration:1001", "administration:1003"])


def test_findings_that_sort_alike_keep_the_order_of_the_facts(tmp_path):
    """Two findings equal in every sort key keep the facts' order on every engine (durable-rules
    once gave them in the order of the facts' keys, administration/10 before administration/2)."""
    book = book_of(tmp_path, rule("user", {"eq": {"personal_archive": True}}, 0, mode="migration"))
    admins = [{"code": f"{1000 + i}", "users": [{"email": "same@x.nl", "role": "client", "personal_archive": True}]}
              for i in range(12)]
    snapshot = merge(load_base(), {"administrations": admins,
                                   "migration": {"administrations": [{"code": a["code"]} for a in reversed(admins)]}})
    reports = {check(snapshot, engine=e, rulebook=book).to_json() for e in ("python", "durable", "compiled")}
    assert len(reports) == 1


# -- inputs durable-rules mishandles are refused, never answered --------------------------------


def test_a_text_of_65536_bytes_is_refused_not_compared_wrongly():
    """durable-rules keeps text lengths in 16 bits: such a text would compare wrongly (a blocked
    snapshot came out ready). The adapter refuses it with an EngineError that says so."""
    snapshot = json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8"))
    snapshot["administrations"][0]["accounting_system"] = "exact_online" + "x" * 65_524
    with pytest.raises(EngineError, match="65,536 bytes or more"):
        DurableEngine(default_rulebook()).evaluate(derive_facts(snapshot))
    # Through the pipeline the snapshot contract's own bound on texts stops it first.
    assert check(snapshot, engine="durable").verdict == "invalid"


def test_a_lone_surrogate_is_refused_with_an_engine_error():
    """A lone surrogate made assert_facts fail: now a clear EngineError, before the engine."""
    snapshot = json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8"))
    snapshot["requester"]["role"] = "super" + chr(0xD800) + "user"
    with pytest.raises(EngineError, match="lone surrogate"):
        DurableEngine(default_rulebook()).evaluate(derive_facts(snapshot))


def test_a_failed_assert_leaks_no_session(monkeypatch):
    """A session the engine created before an assert failed is deleted: 1,030 failures later
    (a ruleset holds 1,024 sessions) a check still works instead of raising MemoryError."""
    durable = DurableEngine(default_rulebook())
    facts = derive_facts(json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8")))
    expected = durable.evaluate(facts)
    real = engine_durable._engine.assert_facts

    def failing(handle, payload):
        real(handle, payload)  # the session exists now
        raise engine_durable._engine.error("Could not assert facts, error code: 311")

    monkeypatch.setattr(engine_durable._engine, "assert_facts", failing)
    for _ in range(1030):
        with pytest.raises(EngineError):
            durable.evaluate(facts)
    monkeypatch.setattr(engine_durable._engine, "assert_facts", real)
    assert durable.evaluate(facts) == expected


def test_long_lists_assert_only_the_values_rules_can_match(monkeypatch):
    """2 x 200,000 codes in the target office's lists took 58 s and 3.9 GB: only the values equal
    to a literal or to a {ref} value of a fact present are asserted now."""
    snapshot = json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8"))
    codes = [str(100_000 + i) for i in range(200_000)]
    snapshot["target_office"]["package_administrations"] = codes + [a["code"] for a in snapshot["administrations"]]
    snapshot["target_office"]["administrations"] = codes
    asserted = []
    real = engine_durable._engine.assert_facts
    monkeypatch.setattr(engine_durable._engine, "assert_facts",
                        lambda handle, payload: asserted.append(payload) or real(handle, payload))
    durable = DurableEngine(default_rulebook())
    facts = derive_facts(snapshot)
    assert durable.evaluate(facts) == sorted(PythonEngine(default_rulebook()).evaluate(facts))
    items = [f for f in json.loads(asserted[-1]) if f["t"] == "$item"]
    assert len(items) <= 2 * len(snapshot["administrations"]) + 5


def test_fact_bodies_do_not_depend_on_the_hash_seed():
    """The facts asserted (property order included) are the same bytes under any PYTHONHASHSEED:
    one 5-rule book crashed durable-rules under some seeds only."""
    script = (
        "import json, itertools; from preflight import engine_durable as d; "
        "from preflight.rulebook import default_rulebook; from preflight.facts import derive_facts; "
        "d._SESSIONS = itertools.count(1); "
        f"s = json.load(open({str(ROOT / 'examples' / 'ready.json')!r})); "
        "e = d.DurableEngine(default_rulebook()); print(json.dumps(e._payload(derive_facts(s), 0)[0]))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (0, 1, 2, 3)
    }
    assert len(outputs) == 1


def test_one_list_value_can_satisfy_two_contains(tmp_path):
    """contains: authoriser and contains: {ref: receiver.role} hold together when the receiver is
    an authoriser: durable-rules let one fact match one pattern of a rule only (found by the
    rule fuzzer); every rule now allows it."""
    book = book_of(tmp_path, rule("administration", {"all": [
        {"contains": {"target_office.user_roles": "authoriser"}},
        {"contains": {"target_office.user_roles": {"ref": "receiver.role"}}},
    ]}))
    snapshot = snapshot_with(administrations=TWO_ADMINS[:1], receiver={"role": "authoriser"},
                             target_office={"users": [{"email": "a@b.nl", "role": "authoriser"}]})
    assert_agree(book, snapshot, ["administration:1001"])
