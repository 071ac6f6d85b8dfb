"""Reading a snapshot: the loader against PyYAML's pure-Python SafeLoader, in the same run.

    .venv/bin/python bench/parse.py

"before" is how the loader read YAML until libyaml: PyYAML's pure-Python SafeLoader (timestamps
kept as text, duplicate keys refused) followed by a walk bounding depth and values. JSON
"before" is json.loads with a Python duplicate-key hook and the same walk. "after" is
preflight.snapshot_loader.load_snapshot. The machines are noisy: read the ratios.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from check import snapshot  # noqa: E402

from preflight.snapshot_loader import load_snapshot  # noqa: E402


class _PureLoader(yaml.SafeLoader):
    """The loader as it was: pure Python, timestamps as text, duplicate keys refused."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_PureLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _walk(data: Any) -> None:
    """The old after-the-fact bound: every value visited once."""
    stack = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > 500_000 or depth > 32:
            raise ValueError("bound")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(key)
        out[key] = value
    return out


def before_yaml(text: bytes) -> Any:
    data = yaml.load(text, Loader=_PureLoader)  # noqa: S506 - a SafeLoader subclass
    _walk(data)
    return data


def before_json(text: bytes) -> Any:
    data = json.loads(text, object_pairs_hook=_unique)
    _walk(data)
    return data


def after(text: bytes) -> Any:
    return load_snapshot(text).data


def timed(fn: Any, text: bytes, budget: float) -> float:
    """Median seconds per call over rounds filling about ``budget`` seconds."""
    fn(text)
    rounds = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(rounds) < 3:
        start = time.perf_counter()
        fn(text)
        rounds.append(time.perf_counter() - start)
    return statistics.median(rounds)


def main() -> None:
    cases = [
        ("examples/blocked.yaml", "yaml", (ROOT / "examples" / "blocked.yaml").read_bytes()),
        ("500 administrations, YAML", "yaml", yaml.safe_dump(snapshot(500), sort_keys=False).encode()),
        ("2,000 administrations, YAML", "yaml", yaml.safe_dump(snapshot(2000), sort_keys=False).encode()),
        ("examples/ready.json", "json", (ROOT / "examples" / "ready.json").read_bytes()),
        ("2,000 administrations, JSON", "json", json.dumps(snapshot(2000)).encode()),
    ]
    print(f"{'snapshot':30} {'bytes':>9} {'before':>10} {'after':>10} {'ratio':>7}")
    for label, syntax, text in cases:
        old = before_yaml if syntax == "yaml" else before_json
        assert old(text) == after(text), label
        budget = 1.0 if len(text) < 100_000 else 4.0
        t_old, t_new = timed(old, text, budget), timed(after, text, budget)
        print(f"{label:30} {len(text):>9,} {t_old * 1e3:>8.2f}ms {t_new * 1e3:>8.2f}ms {t_old / t_new:>6.1f}x")


if __name__ == "__main__":
    main()
