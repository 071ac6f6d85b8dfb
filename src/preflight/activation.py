"""What an evaluator returns: which rule matched which fact. Shared by both evaluators."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Activation:
    """Rule ``rule_id`` matched the fact with key ``fact_key``."""

    rule_id: str
    fact_key: str


class EngineError(RuntimeError):
    """The evaluator could not evaluate a snapshot (never a finding; a fault to report)."""
