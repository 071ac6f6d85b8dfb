"""preflight.demo_data and `preflight demo-data`: realistic synthetic offices, the same per seed."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

from preflight.demo_data import MAX_SIZE, generate
from preflight.pipeline import check
from preflight.rulebook import default_rulebook
from preflight.snapshot_validator import validate_snapshot

from .in_process import run_cli


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_offices() -> None:
    """Deterministic per seed: benchmarks and examples can be reproduced anywhere."""
    assert list(generate(30, seed=5)) == list(generate(30, seed=5))
    assert list(generate(30, seed=5)) != list(generate(30, seed=6))


def test_every_office_is_a_valid_audit_snapshot_with_unique_codes() -> None:
    """Each line is one valid snapshot without a migration (audit mode); office codes are unique."""
    offices = [json.loads(line) for line in generate(200, seed=1)]
    assert all(validate_snapshot(o) == [] for o in offices)
    assert all("migration" not in o for o in offices)
    codes = [o["source_office"]["code"] for o in offices]
    assert len(set(codes)) == len(codes)


def test_sizes_spread_from_one_to_a_few_hundred_administrations() -> None:
    """A long tail: many small offices, some of a few hundred, about 25 on average."""
    sizes = [len(json.loads(line)["administrations"]) for line in generate(2000, seed=3)]
    assert min(sizes) == 1
    assert 200 <= max(sizes) <= MAX_SIZE
    assert 18 <= sum(sizes) / len(sizes) <= 32


def test_every_audit_rule_of_the_catalogue_fires_somewhere() -> None:
    """A plausible mix: every problem an audit can find occurs in a modest demo set."""
    fired: Counter[str] = Counter()
    for line in generate(150, seed=1):
        for finding in check(json.loads(line), engine="python").findings:
            fired[finding.rule] += 1
    audit_rules = {rule.id for rule in default_rulebook().for_phase("audit")}
    assert audit_rules <= set(fired), audit_rules - set(fired)
    assert fired["users-not-migrated"] > fired["subadministration"] > fired["office-without-superuser"]


def test_invalid_fraction_breaks_that_share_of_lines() -> None:
    """--invalid mixes in contract violations and lines that are not JSON at all."""
    lines = list(generate(400, seed=2, invalid=0.1))
    broken = 0
    for text in lines:
        try:
            broken += bool(validate_snapshot(json.loads(text)))
        except json.JSONDecodeError:
            broken += 1
    assert 20 <= broken <= 65


def test_cli_writes_json_lines_to_stdout_or_a_gzip_file(tmp_path: Path) -> None:
    """`preflight demo-data` prints JSON Lines; --out FILE.gz writes the same lines compressed, reproducibly."""
    printed = run_cli("demo-data", "--offices", "12", "--seed", "9")
    assert printed.status == 0, printed.stderr
    assert printed.stdout.splitlines() == list(generate(12, seed=9))
    first, second = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    for target in (first, second):
        done = run_cli("demo-data", "--offices", "12", "--seed", "9", "--out", str(target))
        assert done.status == 0, done.stderr
    assert gzip.decompress(first.read_bytes()).decode("utf-8") == printed.stdout
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl.gz", "b.jsonl.gz"]
