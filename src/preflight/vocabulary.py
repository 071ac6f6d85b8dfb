"""The words of the contracts, defined once: severities, verdicts, phases, languages, actors.

Every module and schema uses these; ``tests/test_vocabulary.py`` ties them to the enums in
``schemas/``, so a new phase or verdict cannot be added in one place and forgotten in another.
"""

from __future__ import annotations

from typing import Literal, get_args

Severity = Literal["blocking", "advisory", "info"]
Verdict = Literal["invalid", "blocked", "ready", "completed"]
Phase = Literal["audit", "before_start", "accepted", "withdrawn", "completed"]
Language = Literal["nl", "en"]
#: audit: the rule also runs without a migration (catalogue mode A); migration: only with one (M).
RuleMode = Literal["audit", "migration"]
Status = Literal["draft", "code_sent", "accepted", "completed", "withdrawn"]
#: Who acts on a step of the plan.
Actor = Literal["target_office", "source_and_target_office", "source_office", "requester"]
SubjectKind = Literal["migration", "office", "administration", "user"]
#: What a finding of a rule means for the administration it is about, in the batches.
BatchEffect = Literal["cannot_move"]

SEVERITIES: tuple[Severity, ...] = get_args(Severity)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
PHASES: tuple[Phase, ...] = get_args(Phase)
LANGUAGES: tuple[Language, ...] = get_args(Language)
RULE_MODES: tuple[RuleMode, ...] = get_args(RuleMode)
STATUSES: tuple[Status, ...] = get_args(Status)
ACTORS: tuple[Actor, ...] = get_args(Actor)
SUBJECT_KINDS: tuple[SubjectKind, ...] = get_args(SubjectKind)

DEFAULT_LANGUAGE: Language = "nl"

#: blocking first: the order of findings, of plan steps of equal rank, of everything shown.
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

#: The migration's status decides the phase (rules.md, catalogue v2, "Phases").
PHASE_OF_STATUS: dict[str, Phase] = {
    "draft": "before_start",
    "code_sent": "before_start",
    "accepted": "accepted",
    "withdrawn": "withdrawn",
    "completed": "completed",
}

#: Exit status of ``preflight check`` per verdict (report.md).
EXIT_STATUS: dict[str, int] = {"ready": 0, "completed": 0, "blocked": 1, "invalid": 2}
