"""A snapshot at each input limit (README, "Limits"), and one over it: seconds and peak memory per engine.

    .venv/bin/python bench/limits.py          # every row, each case in a fresh process (2-3 minutes)

Each case runs in its own process so that its peak RSS is its own. The inputs are the ones
tests/test_limits.py tries. "worst case" is the heaviest valid snapshot found within all limits:
80 administrations of 1,000 users each, every user with a personal archive (4.9 MB of JSON, one
finding per user).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def worst_case(_: int) -> str:
    from tests.test_limits import admin, as_json, ready

    data = ready()
    data.pop("migration")  # audit mode: every administration is evaluated
    users = [{"email": f"u{j}@x.nl", "role": "authoriser", "personal_archive": True} for j in range(2)]
    data["administrations"] = [
        dict(admin(f"A{i}"), users=users, subadministration_of="A0", payment_agreement=True,
             authorisation={"before_booking": "required", "after_booking": "required"},
             workflows=[{"name": "W", "authorisers": ["a@x.nl"]}])
        for i in range(10_000)
    ]
    return as_json(data)


def one(key: str, engine: str, over: bool) -> None:
    """Run one case in this process; print seconds, verdict and peak RSS as JSON."""
    from preflight.pipeline import check, get_engine
    from tests.test_limits import BUILDERS, OVER, ROWS

    get_engine(engine)
    if key == "worst case":
        text, value = worst_case(0), 0
    else:
        value = next(r["value"] for r in ROWS if r["where"][0] == key) + (1 if over else 0)
        text = (OVER.get(key, BUILDERS[key]) if over else BUILDERS[key])(value)
    start = time.perf_counter()
    report = check(text, engine=engine)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"seconds": seconds, "verdict": report.verdict, "rss_mb": rss, "bytes": len(text.encode())}))


def main() -> None:
    from tests.test_limits import BUILDERS, ROWS

    cases = [(r["what"], r["where"][0]) for r in ROWS if r["where"][0] in BUILDERS] + [("worst case", "worst case")]
    print(f"{'limit':40} {'bytes':>10}  {'python at':>10} {'over':>6}  {'durable at':>10} {'over':>6}  {'peak RSS':>9}")
    for what, key in cases:
        cells, size, peak = [], 0, 0
        for engine in ("python", "durable"):
            for over in (False, True) if key != "worst case" else (False,):
                args = [sys.executable, __file__, "--one", key, engine, "over" if over else "at"]
                out = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
                cells.append(f"{out['seconds']:.2f}s")
                size, peak = max(size, out["bytes"]), max(peak, out["rss_mb"])
            if key == "worst case":
                cells.append("")
        print(f"{what:40} {size:>10,}  {cells[0]:>10} {cells[1]:>6}  {cells[2]:>10} {cells[3]:>6}  {peak:>6} MB")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        one(sys.argv[2], sys.argv[3], sys.argv[4] == "over")
    else:
        main()
