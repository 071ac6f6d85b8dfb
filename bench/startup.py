"""Start-up: how long a person waits for one `preflight check`, against a plain-Python baseline.

    .venv/bin/python bench/startup.py               # 15 rounds
    .venv/bin/python bench/startup.py --rounds 30

Measures, interleaved in one run (the machine is noisy; compare the ratio, not the seconds):

- ``preflight check examples/ready.json`` with the project's console script (the whole command:
  interpreter start, imports, rules loaded, engine built, one check, the report printed);
- ``python -c "import yaml, jsonschema"`` in a separate venv holding only plain ``pyyaml`` and
  ``jsonschema`` (no extras) — what any Python tool that reads YAML and JSON Schema pays at least.
  The venv is made once under bench/out/plain-venv (needs PyPI the first time).

Target (issue 7): the check at most 3× the baseline's median wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN = ROOT / "bench" / "out" / "plain-venv"
TARGET = 3.0


def plain_python() -> Path:
    """The baseline venv's interpreter, made on first use."""
    python = PLAIN / "bin" / "python"
    if not python.exists():
        print(f"making {PLAIN} (pyyaml and jsonschema, no extras) …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PLAIN)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "pyyaml", "jsonschema"], check=True)
    return python


def wall(command: list[str]) -> float:
    """Seconds one run of ``command`` takes, output discarded; it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"})
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved runs of each (default 15)")
    args = parser.parse_args()
    preflight = [str(Path(sys.executable).parent / "preflight"), "check", "examples/ready.json"]
    baseline = [str(plain_python()), "-c", "import yaml, jsonschema"]
    wall(preflight), wall(baseline)  # warm the file cache
    checks, bases = [], []
    for _ in range(args.rounds):
        checks.append(wall(preflight))
        bases.append(wall(baseline))
    check_ms, base_ms = statistics.median(checks) * 1000, statistics.median(bases) * 1000
    ratio = check_ms / base_ms
    print(f"{'command':<52} {'median':>9} {'min':>9}")
    rows = (("preflight check examples/ready.json", check_ms, min(checks)),
            ('python -c "import yaml, jsonschema" (plain venv)', base_ms, min(bases)))
    for label, median, fastest in rows:
        print(f"{label:<52} {median:>7.0f} ms {fastest * 1000:>6.0f} ms")
    print(f"ratio {ratio:.2f}× (target at most {TARGET:.0f}×): {'met' if ratio <= TARGET else 'missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
