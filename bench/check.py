"""Evaluations per second of one snapshot, on both engines, side by side in one run.

    .venv/bin/python bench/check.py            # the table (about half a minute)
    .venv/bin/python bench/check.py --soak 100000   # also: memory over 100,000 evaluations

The Python interpreter of the rules is the baseline: the machines are noisy, so the figures that
matter are the ratios measured in the same run. "engine" times only the evaluation of the
facts; "check" times the whole flow (validate, derive facts, evaluate, build the report).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from preflight.facts import derive_facts  # noqa: E402
from preflight.pipeline import check, get_engine  # noqa: E402

SIZES = (1, 5, 50, 500)


def snapshot(n: int) -> dict[str, Any]:
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


def per_second(fn: Any, budget: float) -> tuple[float, float]:
    """Median seconds per call over rounds filling ``budget`` seconds, and calls per second."""
    fn()  # warm up (and build the engine)
    rounds = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(rounds) < 5:
        calls = 0
        start = time.perf_counter()
        while calls < 5 or time.perf_counter() - start < 0.05:
            fn()
            calls += 1
        rounds.append((time.perf_counter() - start) / calls)
    median = statistics.median(rounds)
    return median, 1 / median


def table(budget: float) -> None:
    durable, python = get_engine("durable"), get_engine("python")
    print(f"{'admins':>6} {'facts':>6} | {'durable engine':>15} {'python engine':>14} {'ratio':>6} | "
          f"{'durable check':>14} {'python check':>13} {'ratio':>6}")
    for n in SIZES:
        snap = snapshot(n)
        facts = derive_facts(snap)
        d_eng, _ = per_second(lambda f=facts: durable.evaluate(f), budget)
        p_eng, _ = per_second(lambda f=facts: python.evaluate(f), budget)
        d_chk, _ = per_second(lambda s=snap: check(s, engine="durable"), budget)
        p_chk, _ = per_second(lambda s=snap: check(s, engine="python"), budget)
        print(f"{n:>6} {len(facts.facts):>6} | "
              f"{d_eng * 1e3:>12.3f} ms {p_eng * 1e3:>11.3f} ms {d_eng / p_eng:>5.1f}x | "
              f"{d_chk * 1e3:>11.3f} ms {p_chk * 1e3:>10.3f} ms {d_chk / p_chk:>5.1f}x")
    print("(median time per evaluation; ratio = durable / python, measured in this run)")


def soak(evaluations: int) -> None:
    """Resident memory while evaluating the 5-administration snapshot many times on durable-rules."""
    durable = get_engine("durable")
    facts = derive_facts(snapshot(5))
    step = max(1, evaluations // 10)
    gc.collect()
    print(f"\nmemory over {evaluations} evaluations (durable engine, 5 administrations):")
    start = current_rss_kib()
    for i in range(1, evaluations + 1):
        durable.evaluate(facts)
        if i % step == 0:
            rss = current_rss_kib()
            print(f"  after {i:>7}: RSS {rss / 1024:7.1f} MiB ({(rss - start) / 1024:+.1f} MiB since the start)")
    print(f"  peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


def current_rss_kib() -> int:
    """Resident set size now (Linux), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument("--soak", type=int, default=0, help="also run this many evaluations and report memory")
    args = parser.parse_args()
    table(args.budget)
    if args.soak:
        soak(args.soak)


if __name__ == "__main__":
    main()
