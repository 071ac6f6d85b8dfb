"""The rule-language fuzzer, bounded: random rule books x random snapshots x every engine.

Every book the loader accepts must give byte-identical reports on every engine; every book it
refuses must be refused with file, rule and path (never an exception). The long run, with crash
isolation, is scripts/fuzz_rules.py.
"""

from __future__ import annotations

import json

from preflight.pipeline import available_engines

from .rule_books import fuzz

#: The suite's budget: fixed seed, so every run draws the same books and snapshots.
SEED, BOOKS, SNAPSHOTS = 20_261_127, 30, 20


def test_random_rule_books_give_the_same_report_on_every_engine(tmp_path):
    """30 random rule books (1-20 rules from the whole documented language) x 20 random snapshots
    x every engine: no difference in any report, and the share the loader refuses stays small."""
    run = fuzz(SEED, BOOKS, SNAPSHOTS, available_engines(), tmp_path)
    first = run.differences[0].to_dict() if run.differences else None
    assert not run.differences, json.dumps(first, ensure_ascii=False)[:4000]
    assert run.books - run.refused >= BOOKS * 2 // 3, run.refusals
    assert run.evaluations == (run.books - run.refused) * SNAPSHOTS * len(available_engines())


def test_constructs_the_engines_cannot_share_are_refused_by_the_loader(tmp_path):
    """Books drawn with many constructs outside the loader's limits ({ref} under not, two facts
    in one any, nesting past the bound, too many tests, ...): each is refused with a message, and
    what is accepted still gives one report on every engine."""
    run = fuzz(SEED + 1, 15, 5, available_engines(), tmp_path, rules=(3, 8), wild=0.2)
    assert run.refused >= 5, run.refusals
    assert not run.differences, run.differences[0].where
