"""`preflight audit` streams: memory does not grow with the number of offices audited.

One audit of 2,000 offices, in a process of its own; a thread samples the current resident size
(VmRSS) of the main process and of the largest worker every 10 ms. Growth is the median of the
last fifth of the run against the median of the second fifth (after start-up): a leak grows
linearly and shows there, while a peak at start-up — which the process-lifetime peak (ru_maxrss)
would report — cannot hide it. bench/audit.py measures 1,000 against 10,000 offices.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.demo_data import generate

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import json, os, sys, threading, time
from pathlib import Path
from preflight.audit.cli import run_audit

def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

def workers():
    me, found = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1] == me \\
                    and b"spawn_main" in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except (OSError, IndexError):
            pass
    return found

samples, done = [], threading.Event()
def sample():
    pids = []
    while not done.wait(0.01):
        sizes = [rss_kib(pid) for pid in pids]
        if not pids or 0 in sizes:  # not started yet, or one ended: look again (a scan of /proc is slow)
            pids = workers()
            continue
        samples.append((rss_kib(os.getpid()), max(sizes)))
threading.Thread(target=sample, daemon=True).start()
status = run_audit([sys.argv[1]], fmt=sys.argv[2], out=sys.argv[3], workers=2, quiet=True)
done.set()
print(json.dumps({"status": status, "samples": samples}))
"""


def rss_samples(source: Path, fmt: str, out: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(source), fmt, str(out)],
                          capture_output=True, cwd=ROOT, timeout=300, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def growth(series: list[int]) -> tuple[float, float]:
    """(median of the second fifth, median of the last fifth) of a series of sizes."""
    fifth = len(series) // 5
    return statistics.median(series[fifth: 2 * fifth]), statistics.median(series[-fifth:])


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_memory_is_flat_over_an_audit_of_2000_offices(tmp_path: Path, fmt: str) -> None:
    """From the second fifth of the run to the last, main process and workers grow by less than 10 %."""
    source = tmp_path / "offices.jsonl"
    source.write_text("\n".join(generate(2000, seed=13)) + "\n")
    result = rss_samples(source, fmt, tmp_path / f"audit.{fmt}")
    assert result["status"] == 1
    samples = result["samples"]
    assert isinstance(samples, list) and len(samples) >= 25, "too few samples to see a trend"
    for name, series in (("main", [s[0] for s in samples]), ("worker", [s[1] for s in samples])):
        early, late = growth(series)
        assert late <= early * 1.10, f"{name}: {early:.0f} KiB → {late:.0f} KiB over the audit"
