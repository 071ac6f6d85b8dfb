"""`preflight audit` streams: peak memory does not grow with the number of offices.

Measured at a small scale (200 against 2,000 offices); bench/audit.py measures 1,000 against
10,000. Peak RSS is read from the kernel (ru_maxrss) for the main process and for the largest
worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.demo_data import generate

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import json, resource, sys
from preflight.audit.cli import run_audit
status = run_audit([sys.argv[1]], fmt=sys.argv[2], out=sys.argv[3], workers=2, quiet=True)
print(json.dumps({"status": status,
                  "main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_rss(source: Path, fmt: str, out: Path) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(source), fmt, str(out)],
                          capture_output=True, cwd=ROOT, timeout=300, check=True)
    result: dict[str, int] = json.loads(done.stdout)
    return result


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_peak_memory_is_flat_from_200_to_2000_offices(tmp_path: Path, fmt: str) -> None:
    """Ten times the offices: main process and workers stay within 10 % of their peak RSS."""
    lines = list(generate(2000, seed=13))
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_text("\n".join(lines[:200]) + "\n")
    large.write_text("\n".join(lines) + "\n")
    few = peak_rss(small, fmt, tmp_path / f"small.{fmt}")
    many = peak_rss(large, fmt, tmp_path / f"large.{fmt}")
    assert few["status"] == many["status"] == 1
    assert many["main"] <= few["main"] * 1.10, (few, many)
    assert many["worker"] <= few["worker"] * 1.10, (few, many)
