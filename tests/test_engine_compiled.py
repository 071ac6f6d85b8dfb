"""The compiled engine: the rule book compiled once, reading only what the rules need, rule data
never executed as code. (Its reports equal the other engines': tests/test_engines.py and the
rule fuzzer, tests/test_rule_fuzz.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from preflight.engine_compiled import CompiledEngine, program_source
from preflight.pipeline import check
from preflight.rulebook import default_rulebook, load_rulebook
from preflight.vocabulary import LANGUAGES, PHASES

from .rule_books import write_book

ROOT = Path(__file__).resolve().parent.parent


def _rule(**changes: Any) -> dict[str, Any]:
    rule = {
        "id": "pending-docs", "title": {"nl": "Wacht", "en": "Waiting"}, "severity": "blocking", "mode": "audit",
        "scope": "administration", "step": "authorisations", "faq": "Vraag?", "faq_url": "https://example.nl/faq",
        "when": {"gt": {"pending_authorisation": 0}}, "evidence": ["pending_authorisation"],
        "message": {"nl": "{pending_authorisation} wachten in {code}", "en": "{pending_authorisation} wait in {code}"},
        "remedy": {"nl": "Keur goed", "en": "Approve"},
        "examples": [{"name": "fires", "snapshot": {}, "fires": ["administration:x"]},
                     {"name": "silent", "snapshot": {}, "fires": []}],
    }
    return {**rule, **changes}


class Recording(dict):  # type: ignore[type-arg]
    """A mapping that records which keys were read."""

    def __init__(self, data: dict[str, Any], seen: set[str]) -> None:
        super().__init__(data)
        self.seen = seen

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return super().get(key, default)


def test_only_the_snapshot_values_the_rules_read_are_read(tmp_path):
    """With one rule on pending_authorisation, an administration that does not fire is read for
    that field alone: no workflows, users or names are looked at."""
    book = load_rulebook(write_book(tmp_path, [_rule()]))
    snapshot = json.loads((ROOT / "examples" / "audit-office.json").read_text(encoding="utf-8"))
    seen: set[str] = set()
    quiet = dict(snapshot["administrations"][0], pending_authorisation=0)
    snapshot["administrations"] = [Recording(quiet, seen)]
    assert CompiledEngine(book).findings(snapshot, "audit", "en") == []
    assert seen == {"pending_authorisation"}


def test_a_rule_that_fires_gets_its_texts_evidence_and_pointers(tmp_path):
    """A finding is built for a rule that fired: message and remedy in the language, evidence and
    pointers from the catalogue."""
    book = load_rulebook(write_book(tmp_path, [_rule()]))
    snapshot = json.loads((ROOT / "examples" / "audit-office.json").read_text(encoding="utf-8"))
    snapshot["administrations"][1]["pending_authorisation"] = 1234
    (finding,) = [f for f in CompiledEngine(book).findings(snapshot, "audit", "nl") if f.about.key == snapshot["administrations"][1]["code"]]
    assert finding.message == f"1.234 wachten in {snapshot['administrations'][1]['code']}"
    assert (finding.remedy, finding.evidence, finding.pointers) == (
        "Keur goed", {"pending_authorisation": 1234}, ("/administrations/1/pending_authorisation",))


def test_rule_texts_are_data_never_code(tmp_path):
    """Quotes, braces and Python in a rule's texts and literals are shown as written: the
    generated source holds them as literals."""
    hostile = "'); __import__('os')._exit(3) #{{ \\\" \"\"\""
    rule = _rule(when={"all": [{"ne": {"name": hostile}}, {"gt": {"pending_authorisation": 0}}]},
                 message={"nl": f"{{code}} {hostile.replace('{', '').replace('}', '')} ", "en": "x"},
                 remedy={"nl": "a\\nb \\u0000 é", "en": "x"})
    book = load_rulebook(write_book(tmp_path, [rule]))
    snapshot = json.loads((ROOT / "examples" / "audit-office.json").read_text(encoding="utf-8"))
    report = check(snapshot, engine="compiled", rulebook=book)
    assert report.to_json() == check(snapshot, engine="python", rulebook=book).to_json()
    assert any(hostile.replace("{", "").replace("}", "") in f.message for f in report.findings)


def test_a_rule_book_is_compiled_once_per_digest(tmp_path):
    """Two engines over the same rule files (the same digest) share the compiled functions, and
    warm_up compiles every phase and language."""
    first = CompiledEngine(load_rulebook(write_book(tmp_path / "a", [_rule()])))
    second = CompiledEngine(load_rulebook(write_book(tmp_path / "b", [_rule()])))
    assert first.rulebook.digest == second.rulebook.digest
    first.warm_up()
    from preflight import engine_compiled

    compiled = {key for key in engine_compiled._PROGRAMS if key[0] == first.rulebook.digest}
    assert compiled == {(first.rulebook.digest, phase, lang) for phase in PHASES for lang in LANGUAGES}
    snapshot = json.loads((ROOT / "examples" / "audit-office.json").read_text(encoding="utf-8"))
    assert second.findings(snapshot, "audit", "nl") == first.findings(snapshot, "audit", "nl")


def test_the_generated_source_reads_each_field_through_the_catalogue():
    """The source of the shipped rules derives a field with the catalogue's own expression."""
    from preflight.facts import CATALOGUE

    source = program_source(default_rulebook(), "audit", "nl")
    assert f"ad_pending_authorisation = {CATALOGUE['administration']['pending_authorisation'].derive}" in source
    assert "transfer_code" not in source  # no audit rule reads the migration
