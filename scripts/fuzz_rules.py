#!/usr/bin/env python3
"""The rule-language fuzzer, long run: random rule books x random snapshots x every engine.

    .venv/bin/python scripts/fuzz_rules.py --books 2000 --snapshots 50          # about 7 minutes
    .venv/bin/python scripts/fuzz_rules.py --books 100 --snapshots 20 --seed 7  # a few minutes

Books are drawn from the whole documented rule language (tests/rule_books.py: every condition
form, scope, text form), snapshots by tests/snapshot_strategies.py. Every book the loader accepts
is checked on every engine that runs here and any difference in the report JSON is a failure; a
book the loader refuses is counted by the loader's message. Books run in batches in child
processes, so a crash of durable-rules' C core (a signal) is caught: the batch is re-run a book at
a time to name the book, and its rules are saved. Failures are written to --out (JSON, one file
each) to become regression tests; the exit status is 1 when there is any.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from preflight.pipeline import available_engines  # noqa: E402
from tests.rule_books import FuzzRun, fuzz, random_book  # noqa: E402

Job = tuple[int, int, int, int, tuple[str, ...], float]  # seed, first book, books, snapshots, engines, wild


def _batch(job: Job) -> FuzzRun:
    seed, first, books, snapshots, engines, wild = job
    with tempfile.TemporaryDirectory() as folder:
        return fuzz(seed, books, snapshots, engines, Path(folder), wild=wild, first=first)


def _send(job: Job, connection: Any) -> None:
    connection.send(_batch(job))
    connection.close()


def _in_child(job: Job) -> FuzzRun | None:
    """The batch in a child process: its run, or None when the child died (a signal)."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_send, args=(job, sending))
    process.start()
    sending.close()
    try:
        run: FuzzRun | None = receiving.recv()
    except EOFError:
        run = None
    process.join()
    return run if process.exitcode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--books", type=int, default=200)
    parser.add_argument("--snapshots", type=int, default=30, help="snapshots per book")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20, help="books per child process")
    parser.add_argument("--wild", type=float, default=0.005,
                        help="share of constructs drawn outside the loader's limits (refusals)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    engines = available_engines()
    total = FuzzRun()
    crashes: list[int] = []
    started = time.perf_counter()
    for first in range(0, args.books, args.batch):
        books = min(args.batch, args.books - first)
        batch = _in_child((args.seed, first, books, args.snapshots, engines, args.wild))
        runs = [batch] if batch is not None else []
        if batch is None:  # the child died: again a book at a time, to name the book
            for index in range(first, first + books):
                single = _in_child((args.seed, index, 1, args.snapshots, engines, args.wild))
                if single is None:
                    crashes.append(index)
                    _save(args.out, f"crash-{args.seed}-{index}.json",
                          {"seed": args.seed, "book": index, "rules": _book_rules(args.seed, index, args.wild)})
                else:
                    runs.append(single)
        for run in runs:
            total.books += run.books
            total.refused += run.refused
            total.evaluations += run.evaluations
            total.differences += run.differences
            for key, count in run.refusals.items():
                total.refusals[key] = total.refusals.get(key, 0) + count
        print(f"  books {first + books}/{args.books}: {total.refused} refused, {total.evaluations} evaluations, "
              f"{len(total.differences)} differences, {len(crashes)} crashes", flush=True)
    for number, difference in enumerate(total.differences):
        _save(args.out, f"difference-{args.seed}-{difference.book}-{number}.json", difference.to_dict())
    seconds = time.perf_counter() - started
    loaded = total.books - total.refused
    print(f"{total.books} books ({loaded} loaded, {total.refused} refused) x {args.snapshots} snapshots x "
          f"{len(engines)} engines ({', '.join(engines)}): {total.evaluations} evaluations in {seconds:.0f} s; "
          f"{len(total.differences)} differences, {len(crashes)} crashes")
    for message, count in sorted(total.refusals.items(), key=lambda item: -item[1])[:10]:
        print(f"  refused {count:>5}x: {message}")
    return 1 if total.differences or crashes else 0


def _book_rules(seed: int, index: int, wild: float) -> list[dict[str, Any]]:
    import random

    rng = random.Random(f"{seed}/{index}")
    return random_book(rng, rng.randint(1, 20), wild)


def _save(folder: Path, name: str, document: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
