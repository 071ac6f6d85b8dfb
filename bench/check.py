"""How fast each engine checks a snapshot, against hand-written Python of the same rules.

    .venv/bin/python bench/check.py                  # the table (about a minute)
    .venv/bin/python bench/check.py --soak 100000    # also: memory over 100,000 evaluations per engine

Three snapshots: a clean one (examples/ready.json), one where many rules fire
(examples/blocked.yaml) and a generated migration of 200 administrations. For each engine two
figures: *findings* — from the parsed snapshot to the list of findings (messages, remedies,
evidence and pointers included); *check* — the whole check of a parsed snapshot: validation,
findings and the report (context, plan, batches). The baseline is ../shared/bench/handwritten.py
(catalogue v1 in plain Python: the floor), imported by path and measured in the same run, in
interleaved rounds; each figure is the best round (the machines are shared and noisy, and the
best round is the least disturbed one) and the ratio is to the baseline's best round.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from preflight.facts import phase_of  # noqa: E402
from preflight.pipeline import available_engines, check, get_engine  # noqa: E402

HANDWRITTEN = ROOT.parent / "shared" / "bench" / "handwritten.py"
#: The targets of issue 9 (benchmarks, not tests): compiled findings <= 2x, whole check <= 4x.
TARGETS = {"findings": 2.0, "check": 4.0}


def handwritten() -> Any:
    """../shared/bench/handwritten.py, imported by path (a speed baseline, not an oracle)."""
    spec = importlib.util.spec_from_file_location("handwritten", HANDWRITTEN)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {HANDWRITTEN}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated(n: int) -> dict[str, Any]:
    """A migration of n administrations with a realistic sprinkling of problems."""
    admins = []
    for i in range(n):
        code = f"{1000 + i}"
        admins.append({
            "code": code,
            "name": f"Klant {i}",
            "accounting_system": "exact_online" if i % 7 else "snelstart",
            "subadministration_of": None if i % 11 else "1000",
            "submission_email": f"adv01.{code}@basecone-post.nl",
            "documents_total": 100 * i,
            "pending_authorisation": i % 3,
            "authorisation": {"before_booking": "none", "after_booking": "required" if i % 5 == 0 else "optional"},
            "workflows": [{"name": "Inkoop", "authorisers": ["a@x.nl"] if i % 4 == 0 else []}] if i % 2 else [],
            "payment_agreement": i % 6 == 0,
            "users": [{"email": f"u{i}@klant.nl", "role": "client", "personal_archive": i % 8 == 0}],
        })
    codes = [a["code"] for a in admins]
    return {
        "snapshot_version": 1,
        "taken_at": "2026-11-27T09:30:00+01:00",
        "source_office": {"code": "ADV01", "users": [{"email": "anna@adv.nl", "role": "superuser"}]},
        "target_office": {
            "code": "BJK01", "subscription": "premium", "accounting_link": "exact_online",
            "package_administrations": codes[: max(1, n - n // 10)], "administrations": codes[-1:],
        },
        "requester": {"email": "anna@adv.nl", "role": "superuser"},
        "receiver": {"email": "bas@bjk.nl", "role": "superuser"},
        "migration": {"status": "code_sent", "transfer_code_sent_at": "2026-11-20T09:30:00+01:00",
                      "administrations": [{"code": c} for c in codes]},
        "administrations": admins,
    }


snapshot = generated  # the name bench/http.py imports


def snapshots() -> dict[str, dict[str, Any]]:
    return {
        "clean (ready.json)": json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8")),
        "many rules fire (blocked.yaml)": yaml.safe_load((ROOT / "examples" / "blocked.yaml").read_bytes()),
        "200 administrations": generated(200),
    }


def measure(candidates: dict[str, Callable[[], Any]], rounds: int, budget: float) -> dict[str, tuple[float, float]]:
    """Per candidate (best, median) seconds per call over interleaved rounds."""
    calls = {}
    for name, fn in candidates.items():  # warm up, and size each round to ~budget/rounds
        fn()
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-7)
        calls[name] = max(1, int(budget / rounds / len(candidates) / once))
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            for _ in range(calls[name]):
                fn()
            times[name].append((time.perf_counter() - start) / calls[name])
    return {name: (min(values), statistics.median(values)) for name, values in times.items()}


def table(rounds: int, budget: float) -> None:
    floor = handwritten()
    engines = available_engines()
    print(f"best of {rounds} interleaved rounds; ratio: to the hand-written Python of the same run")
    print(f"{'snapshot':<31} {'engine':<13} {'findings':>10} {'ratio':>6} {'whole check':>12} {'ratio':>6}")
    for label, snapshot in snapshots().items():
        phase = phase_of(snapshot)
        candidates: dict[str, Callable[[], Any]] = {"hand-written": lambda s=snapshot: floor.evaluate(s)}
        for engine in engines:
            evaluator = get_engine(engine)
            candidates[f"{engine} findings"] = lambda s=snapshot, e=evaluator, p=phase: e.findings(s, p, "nl")
            candidates[f"{engine} check"] = lambda s=snapshot, name=engine: check(s, engine=name)
        results = measure(candidates, rounds, budget)
        base = results["hand-written"][0]
        print(f"{label:<31} {'hand-written':<13} {_us(base):>10} {'1.0x':>6}")
        for engine in engines:
            found, whole = results[f"{engine} findings"][0], results[f"{engine} check"][0]
            row = f"{_us(found):>10} {found / base:>5.1f}x {_us(whole):>12} {whole / base:>5.1f}x"
            print(f"{'':<31} {engine:<13} {row}")
    print(f"targets (issue 9): compiled findings <= {TARGETS['findings']:g}x, whole check <= {TARGETS['check']:g}x")


def soak(evaluations: int) -> None:
    """Resident memory of each engine over many evaluations of the blocked example (findings)."""
    snapshot = snapshots()["many rules fire (blocked.yaml)"]
    phase = phase_of(snapshot)
    for engine in available_engines():
        evaluator = get_engine(engine)
        evaluator.findings(snapshot, phase, "nl")
        gc.collect()
        step = max(1, evaluations // 5)
        start = current_rss_kib()
        marks = []
        started = time.perf_counter()
        for i in range(1, evaluations + 1):
            evaluator.findings(snapshot, phase, "nl")
            if i % step == 0:
                marks.append(f"{(current_rss_kib() - start) / 1024:+.1f}")
        seconds = time.perf_counter() - started
        print(f"memory, {engine}: {evaluations:,} evaluations in {seconds:.0f} s; RSS {start / 1024:.1f} MiB at the "
              f"start, then (MiB since) {' '.join(marks)}")
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


def current_rss_kib() -> int:
    """Resident set size now (Linux), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs" if seconds >= 1e-4 else f"{seconds * 1e6:.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds per snapshot")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per snapshot, all candidates")
    parser.add_argument("--soak", type=int, default=0,
                        help="also run this many evaluations per engine and report memory")
    args = parser.parse_args()
    table(args.rounds, args.budget)
    if args.soak:
        soak(args.soak)


if __name__ == "__main__":
    main()
