"""Throughput and memory of `preflight audit` on demo offices, against hand-written Python, in one run.

    .venv/bin/python bench/audit.py                         # 1,000 and 10,000 offices, 2 workers, the default engine
    .venv/bin/python bench/audit.py --sizes 1000            # a quicker look
    .venv/bin/python bench/audit.py --sizes 1000 20000      # the memory claim (flat from 1,000 to 20,000)
    .venv/bin/python bench/audit.py --workers 1 2 --engines durable python --formats json text html

Each audit runs as `run_audit(FILE, --format F, --out FILE, --quiet)` in a process of its own.
Beside it, in the same run and on the same JSON Lines file, the floor: ../shared/bench/handwritten.py
single-process (json.loads + evaluate per line, in a process of its own). Figures per run: wall
time, offices/s, the ratio of the audit's wall time to the floor's, CPU seconds (main process and
workers), and peak RSS three ways: the main process and the largest worker (ru_maxrss, from the
kernel), and the whole process tree (the sum of VmRSS over the audit and its workers, sampled
every 20 ms).

Targets (issue 11): 10,000 demo offices, 2 workers, default engine: at most 2x the hand-written
time; peak RSS of the process tree at most 200 MB, and flat from 1,000 to 20,000 offices. The
machine is shared: read the ratio (both measured in the same minute), not the seconds alone.
The demo files are generated once (seed 1) into bench/out/. Results: a table, and bench/out/audit.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HANDWRITTEN = ROOT.parent / "shared" / "bench" / "handwritten.py"
sys.path.insert(0, str(ROOT / "src"))

from preflight.demo_data import generate  # noqa: E402
from preflight.pipeline import DEFAULT_ENGINE  # noqa: E402

TARGET_RATIO = 2.0
TARGET_RSS_MB = 200.0

#: Runs in the measured process: the audit, then its own and its largest worker's peak RSS.
MEASURE = """
import json, resource, sys, time
from preflight.audit.cli import run_audit
start = time.perf_counter()
status = run_audit([sys.argv[1]], fmt=sys.argv[2], out=sys.argv[3], workers=int(sys.argv[4]),
                   engine=sys.argv[5], quiet=True)
seconds = time.perf_counter() - start
self, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": status, "seconds": seconds, "main_kb": self.ru_maxrss,
                  "worker_kb": children.ru_maxrss,
                  "cpu_main": self.ru_utime + self.ru_stime,
                  "cpu_workers": children.ru_utime + children.ru_stime}))
"""

#: The floor: hand-written Python of the rule catalogue, parse + evaluate per line, one process.
FLOOR = """
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("handwritten", sys.argv[2])
handwritten = importlib.util.module_from_spec(spec)
spec.loader.exec_module(handwritten)
start = time.perf_counter()
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        handwritten.evaluate(json.loads(line))
print(time.perf_counter() - start)
"""


def demo_file(offices: int, seed: int = 1) -> tuple[Path, int]:
    """The demo set (generated once), and how many administrations it holds."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"demo-{offices}-seed{seed}.jsonl"
    if not path.exists():
        temporary = path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            for line in generate(offices, seed):
                handle.write(line + "\n")
        os.replace(temporary, path)
    administrations = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            administrations += line.count('"accounting_system"')
    return path, administrations


def floor_seconds(source: Path) -> float:
    """The hand-written floor over ``source``, in a process of its own."""
    done = subprocess.run([sys.executable, "-c", FLOOR, str(source), str(HANDWRITTEN)], capture_output=True,
                          check=True, cwd=ROOT)
    return float(done.stdout)


def tree_rss_kb(root: int) -> int:
    """VmRSS of ``root`` and its descendants, in KiB."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def measure(source: Path, fmt: str, workers: int, engine: str) -> dict[str, Any]:
    """One audit in a process of its own, with the process tree's RSS sampled meanwhile."""
    out = OUT / f"audit-out.{fmt}"
    process = subprocess.Popen(
        [sys.executable, "-c", MEASURE, str(source), fmt, str(out), str(workers), engine],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"the audit failed:\n{stderr.decode()}")
    result: dict[str, Any] = json.loads(stdout)
    result["tree_kb"] = peak
    result["out_bytes"] = out.stat().st_size
    out.unlink()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--engines", nargs="+", default=[DEFAULT_ENGINE])
    parser.add_argument("--formats", nargs="+", default=["json"], choices=["text", "json", "csv", "html"])
    args = parser.parse_args()
    if not HANDWRITTEN.exists():
        raise SystemExit(f"{HANDWRITTEN} is missing (the shared hand-written floor)")

    print(f"# preflight audit bench: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"default engine {DEFAULT_ENGINE}; floor: {HANDWRITTEN.name}, single process, same file, same run",
          flush=True)
    header = (f"{'offices':>8} {'admins':>8} {'engine':>8} {'format':>6} {'wrk':>3} {'floor s':>8} {'audit s':>8} "
              f"{'ratio':>6} {'offices/s':>10} {'cpu main':>8} {'cpu wrk':>8} {'main MB':>8} {'worker MB':>9} "
              f"{'tree MB':>8} {'out MB':>7}")
    print(header)
    rows = []
    for size in args.sizes:
        source, administrations = demo_file(size)
        for engine in args.engines:
            for fmt in args.formats:
                for workers in args.workers:
                    floor = floor_seconds(source)
                    r = measure(source, fmt, workers, engine)
                    row = {
                        "offices": size, "administrations": administrations, "engine": engine, "format": fmt,
                        "workers": workers, "floor_s": round(floor, 2), "seconds": round(r["seconds"], 2),
                        "ratio": round(r["seconds"] / floor, 2),
                        "offices_per_s": round(size / r["seconds"], 1),
                        "administrations_per_s": round(administrations / r["seconds"]),
                        "cpu_main_s": round(r["cpu_main"], 2), "cpu_workers_s": round(r["cpu_workers"], 2),
                        "main_mb": round(r["main_kb"] / 1024, 1), "worker_mb": round(r["worker_kb"] / 1024, 1),
                        "tree_mb": round(r["tree_kb"] / 1024, 1), "output_mb": round(r["out_bytes"] / 2**20, 1),
                    }
                    rows.append(row)
                    print(f"{size:>8} {administrations:>8} {engine:>8} {fmt:>6} {workers:>3} {row['floor_s']:>8} "
                          f"{row['seconds']:>8} {row['ratio']:>6} {row['offices_per_s']:>10} {row['cpu_main_s']:>8} "
                          f"{row['cpu_workers_s']:>8} {row['main_mb']:>8} {row['worker_mb']:>9} {row['tree_mb']:>8} "
                          f"{row['output_mb']:>7}", flush=True)
    for row in rows:
        if row["offices"] >= 10000 and row["workers"] == 2 and row["engine"] == DEFAULT_ENGINE:
            fast = row["ratio"] <= TARGET_RATIO
            small = row["tree_mb"] <= TARGET_RSS_MB
            print(f"target: {row['offices']:,} offices, 2 workers, {row['engine']}, {row['format']}: "
                  f"{row['ratio']}x the hand-written floor ({'within' if fast else 'over'} {TARGET_RATIO}x), "
                  f"tree peak {row['tree_mb']} MB ({'within' if small else 'over'} {TARGET_RSS_MB:.0f} MB)")
    flat = [r for r in rows if r["workers"] == 2 and r["engine"] == DEFAULT_ENGINE]
    if len({r["offices"] for r in flat}) > 1:
        smallest = min(flat, key=lambda r: r["offices"])
        largest = max(flat, key=lambda r: r["offices"])
        print(f"memory: {smallest['offices']:,} offices {smallest['tree_mb']} MB, {largest['offices']:,} offices "
              f"{largest['tree_mb']} MB (tree peak)")
    (OUT / "audit.json").write_text(json.dumps({"default_engine": DEFAULT_ENGINE, "runs": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
