"""Random rule books for the rule-language fuzzer: the whole documented language, as YAML files.

:func:`random_rule` draws one rule from docs/rule-language.md — every condition form (all, any,
not; eq…ge with literals and ``{ref}``; in, not_in; present/absent of fields and scopes;
contains/not_contains with literals and ``{ref}``), every scope, texts with placeholders, plurals
(``=N``, categories, ``#``) and variants (``if_present``, ``if_phase``), evidence,
``after_completion`` and ``batch``. Most rules keep to the loader's limits; a share on purpose do
not (a ``{ref}`` under a ``not``, a test of two facts in one ``any``, nesting past the bound, …),
so that the fuzzer also checks that the loader refuses them. :func:`write_book` writes a rule
book to a folder the loader reads (with the project's plan, display names and example base).

Used by tests/test_rule_fuzz.py (a bounded run) and scripts/fuzz_rules.py (a long one).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from preflight.conditions import MAX_CONDITION_DEPTH, MAX_CONDITION_TESTS
from preflight.facts import FACT_FIELDS, FACT_LISTS, SINGLETON_SCOPES, SUBJECT_KINDS

from .snapshot_strategies import CODES, EMAILS, LEVELS, NAMES, ROLES, STATUSES, SYSTEMS

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["target-environment", "superusers", "accounting-package", "authorisations", "the-request",
         "the-migration", "good-to-know", "after-migration"]
PHASES = ["audit", "before_start", "accepted", "withdrawn", "completed"]
SEVERITIES = ["blocking", "advisory", "info"]

#: Literals a condition compares with: values the generated snapshots hold, and a few they do not.
_CODES = [*CODES, "7001", "9999", "ADV01", "BJK01", "bjk02"]
_TEXT: dict[str, list[str]] = {
    "status": STATUSES, "role": ROLES, "accounting_system": SYSTEMS, "accounting_link": SYSTEMS,
    "subscription": ["trial", "premium", "none"], "authorisation_before_booking": LEVELS,
    "authorisation_after_booking": LEVELS, "email": EMAILS, "name": NAMES, "administration_name": NAMES,
}
_INTS = [0, 1, 2, 3, 5, 7, 1_296_000, -1, 2**53 - 1, -(2**53) + 1]
_TIMES = ["2026-11-27T09:30:00+01:00", "2026-11-12T08:30:00Z", "2026-11-12T08:29:59Z"]


def literal(rng: random.Random, field_type: str, name: str) -> Any:
    """A literal of the field's type, often one the snapshots hold."""
    if field_type == "bool":
        return rng.random() < 0.5
    if field_type == "int":
        return rng.choice(_INTS)
    pool = _TEXT.get(name) or (_TIMES if "at" in name.split("_") else _CODES)
    return rng.choice([*pool, "x"]) if rng.random() < 0.1 else rng.choice(pool)


class _Rule:
    """Draws one rule of ``scope``; ``wild`` is the share of constructs the loader must refuse."""

    def __init__(self, rng: random.Random, scope: str, wild: float) -> None:
        self.rng = rng
        self.scope = scope
        self.wild = wild
        self.homes = [scope, *(s for s in SINGLETON_SCOPES if s != scope)]

    def name(self, home: str, field_name: str) -> str:
        return field_name if home == self.scope else f"{home}.{field_name}"

    def field(self, home: str, types: tuple[str, ...] = ("str", "int", "bool")) -> tuple[str, str] | None:
        fields = [(n, t) for n, t in FACT_FIELDS[home].items() if t in types]
        return self.rng.choice(fields) if fields else None

    def wildly(self) -> bool:
        return self.rng.random() < self.wild

    def condition(self, depth: int, home: str, refs: bool) -> dict[str, Any]:
        """A condition on the fields of ``home`` (``refs``: a {ref} is allowed here)."""
        rng = self.rng
        roll = rng.random()
        if depth < MAX_CONDITION_DEPTH + 2 and roll < 0.25:
            key = rng.choice(["all", "any", "not"])
            deeper = depth + 1 if not self.wildly() else depth + MAX_CONDITION_DEPTH  # past the bound
            if key == "not":
                return {"not": self.condition(deeper, home, refs and self.wildly())}
            inner_home = (lambda: rng.choice(self.homes)) if self.wildly() else (lambda: home)
            return {key: [self.condition(deeper, inner_home(), refs) for _ in range(rng.randint(1, 3))]}
        if roll < 0.35:
            chosen = self.field(home)
            if chosen is None:
                return {"present": home}
            return {rng.choice(["present", "absent"]): self.name(home, chosen[0])}
        if roll < 0.5:
            chosen = self.field(home, ("str", "int", "bool"))
            if chosen is None:
                return {"absent": home}
            field_name, field_type = chosen
            values = [literal(rng, field_type, field_name) for _ in range(rng.randint(1, 4))]
            if self.wildly():
                values.append(literal(rng, rng.choice(["str", "int", "bool"]), field_name))
            return {rng.choice(["in", "not_in"]): {self.name(home, field_name): values}}
        chosen = self.field(home)
        if chosen is None:
            return {"present": home}
        field_name, field_type = chosen
        ops = ["eq", "ne"] if field_type != "int" else ["eq", "ne", "lt", "le", "gt", "ge"]
        if self.wildly():
            ops = ["eq", "ne", "lt", "le", "gt", "ge"]
        op = rng.choice(ops)
        if (refs or self.wildly()) and rng.random() < 0.35:
            target = self.ref(field_type)
            if target is not None:
                return {op: {self.name(home, field_name): {"ref": target}}}
        return {op: {self.name(home, field_name): literal(rng, field_type, field_name)}}

    def ref(self, field_type: str) -> str | None:
        """A {ref} target of the type (own or a singleton's field)."""
        home = self.rng.choice(self.homes)
        candidates = [n for n, t in FACT_FIELDS[home].items() if t == field_type or self.wildly()]
        if not candidates:
            return None
        return self.name(home, self.rng.choice(candidates))

    def when(self) -> dict[str, Any]:
        """A rule's condition: one part, or a top-level all that may hold scope tests and lists."""
        rng = self.rng
        parts: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.12:
                scope = rng.choice([s for s in SINGLETON_SCOPES if s != self.scope] or [self.scope])
                parts.append({rng.choice(["present", "absent"]): scope})
            elif roll < 0.3:
                owner = rng.choice([s for s in FACT_LISTS if s == self.scope or s in SINGLETON_SCOPES])
                list_name = rng.choice(FACT_LISTS[owner])
                key = list_name if owner == self.scope else f"{owner}.{list_name}"
                value: Any = rng.choice(ROLES if list_name == "user_roles" else _CODES)
                if rng.random() < 0.5:
                    target = self.ref("str")
                    if target is not None:
                        value = {"ref": target}
                parts.append({rng.choice(["contains", "not_contains"]): {key: value}})
            else:
                home = self.scope if rng.random() < 0.7 else rng.choice(self.homes)
                parts.append(self.condition(1, home, refs=home == self.scope))
        if len(parts) == 1 and rng.random() < 0.7:
            return parts[0]
        return {"all": parts}

    def placeholder_names(self) -> list[str]:
        names = [self.name(self.scope, n) for n in FACT_FIELDS[self.scope]]
        for other in SINGLETON_SCOPES:
            if other != self.scope:
                names += [f"{other}.{n}" for n in FACT_FIELDS[other]]
        return names

    def template(self, lang: str, depth: int = 0) -> str:
        """A text with placeholders and plurals (an = exact choice, categories, #)."""
        rng = self.rng
        names = self.placeholder_names()
        ints = [n for n in names if _type_of(self.scope, n) == "int"]
        pieces = [f"{lang} tekst" if lang == "nl" else f"{lang} text"]
        for _ in range(rng.randint(0, 3)):
            if ints and depth < 2 and rng.random() < 0.3:
                count = rng.choice(ints)
                branches = []
                if rng.random() < 0.5:
                    branches.append(f"={rng.choice([0, 1, 5])} {{precies {{{rng.choice(names)}}}}}")
                if rng.random() < 0.7:
                    branches.append(f"one {{# één {self.template(lang, depth + 1)}}}")
                branches.append("other {# meer}")
                pieces.append(f"{{{count}, plural, {' '.join(branches)}}}")
            else:
                pieces.append(f"{{{rng.choice(names)}}}")
            pieces.append(rng.choice([" en ", "; ", " — {{ niet }} ", " # ", " %s "]).replace("{{", "").replace("}}", ""))
        return "".join(pieces).strip() or "tekst"

    def text(self) -> Any:
        """A message or remedy: {nl, en}, or variants with if_present / if_phase."""
        rng = self.rng
        if rng.random() < 0.5:
            return {"nl": self.template("nl"), "en": self.template("en")}
        variants = []
        for _ in range(rng.randint(1, 3)):
            variant: dict[str, Any] = {"nl": self.template("nl"), "en": self.template("en")}
            if rng.random() < 0.6:
                variant["if_present"] = rng.sample(self.placeholder_names(), rng.randint(1, 2))
            if rng.random() < 0.4:
                variant["if_phase"] = rng.sample(PHASES, rng.randint(1, 2))
            variants.append(variant)
        variants.append({"nl": self.template("nl"), "en": self.template("en")})
        return variants


def _within_limits(maker: _Rule) -> dict[str, Any]:
    """A condition with at most MAX_CONDITION_TESTS tests, unless this one is drawn wild."""
    when = maker.when()
    while _tests(when) > MAX_CONDITION_TESTS and not maker.wildly():
        when = maker.when()
    return when


def _tests(raw: Any) -> int:
    if isinstance(raw, dict) and len(raw) == 1:
        ((key, body),) = raw.items()
        if key in ("all", "any"):
            return sum(_tests(item) for item in body)
        if key == "not":
            return _tests(body)
    return 1


def _type_of(scope: str, name: str) -> str:
    other, _, field_name = name.rpartition(".")
    return FACT_FIELDS[other or scope][field_name]


def random_rule(rng: random.Random, index: int, wild: float = 0.005) -> dict[str, Any]:
    """One rule as a YAML mapping (``wild``: how often a construct is drawn that must be refused)."""
    scope = rng.choice(list(SUBJECT_KINDS))
    maker = _Rule(rng, scope, wild)
    kind = SUBJECT_KINDS[scope]
    rule: dict[str, Any] = {
        "id": f"fuzz-{index}",
        "title": {"nl": f"Regel {index}", "en": f"Rule {index}"},
        "severity": rng.choice(SEVERITIES),
        "mode": rng.choice(["audit", "migration"]),
        "scope": scope,
        "step": rng.choice(STEPS),
        "faq": "Een vraag uit de FAQ?",
        "faq_url": "https://support.basecone.com/nl/articles/3185110-faq-externe-migraties",
        "when": _within_limits(maker),
        "message": maker.text(),
        "remedy": maker.text(),
        "examples": [
            {"name": "fires", "snapshot": {}, "fires": [kind if kind == "migration" else f"{kind}:x"]},
            {"name": "silent", "snapshot": {}, "fires": []},
        ],
    }
    names = maker.placeholder_names()
    if rng.random() < 0.7:
        rule["evidence"] = list(dict.fromkeys(rng.sample(names, rng.randint(1, 3))))
    if rng.random() < 0.3:
        after: dict[str, Any] = {"severity": rng.choice(SEVERITIES)}
        if rng.random() < 0.5:
            after["step"] = rng.choice(STEPS)
        rule["after_completion"] = after
    if rng.random() < 0.15:
        rule["batch"] = "cannot_move"
    return rule


def random_book(rng: random.Random, rules: int, wild: float = 0.005) -> list[dict[str, Any]]:
    """A rule book of ``rules`` random rules."""
    return [random_rule(rng, index, wild) for index in range(rules)]


def write_book(directory: Path, rules: list[dict[str, Any]]) -> Path:
    """A rules folder the loader reads: these rules (one file) and the project's data files."""
    directory.mkdir(parents=True, exist_ok=True)
    for data in ("examples-base.yaml", "plan.yaml", "display-names.yaml"):
        shutil.copy(ROOT / "rules" / data, directory / data)
    text = yaml.safe_dump({"theme": "Fuzz", "rules": rules}, allow_unicode=True, sort_keys=False)
    (directory / "fuzz.yaml").write_text(text, encoding="utf-8")
    return directory


# -- the fuzzer ---------------------------------------------------------------------------------


@dataclass
class Difference:
    """Two engines that gave different reports (or one that failed) on one snapshot."""

    book: int
    rules: list[dict[str, Any]]
    snapshot: dict[str, Any]
    lang: str
    readiness_only: bool
    engines: tuple[str, str]
    where: str  # the first differing field of the report, or the error

    def to_dict(self) -> dict[str, Any]:
        return {"book": self.book, "engines": list(self.engines), "where": self.where, "lang": self.lang,
                "readiness_only": self.readiness_only, "rules": self.rules, "snapshot": self.snapshot}


@dataclass
class FuzzRun:
    """What a run did: books drawn, refused by the loader, evaluated; and every difference."""

    books: int = 0
    refused: int = 0
    evaluations: int = 0  # snapshots x engines
    differences: list[Difference] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)  # the loader's messages, counted


def fuzz(seed: int, books: int, snapshots: int, engines: tuple[str, ...], folder: Path,
         rules: tuple[int, int] = (1, 20), wild: float = 0.005, first: int = 0) -> FuzzRun:
    """``books`` random rule books x ``snapshots`` random snapshots x ``engines``, from ``seed``.

    Book number i (and its snapshots) depends only on the seed and i, so that one book of a long
    run can be drawn again on its own (``first=i, books=1``).
    """
    from preflight.cross_check import first_difference
    from preflight.pipeline import check
    from preflight.rulebook import RulesInvalid, load_rulebook

    from .snapshot_strategies import random_snapshot

    run = FuzzRun()
    for index in range(first, first + books):
        rng = random.Random(f"{seed}/{index}")
        drawn = random_book(rng, rng.randint(*rules), wild)
        run.books += 1
        try:
            book = load_rulebook(write_book(folder / f"book-{index}", drawn))
        except RulesInvalid as err:  # refused with file, rule and path: the loader's job
            run.refused += 1
            for problem in err.problems:
                key = problem.message.split(":")[0][:80]
                run.refusals[key] = run.refusals.get(key, 0) + 1
            continue
        for _ in range(snapshots):
            snapshot = random_snapshot(random.Random(rng.getrandbits(32)))
            lang, readiness_only = rng.choice(["nl", "en"]), rng.random() < 0.2
            reports: dict[str, Any] = {}
            for engine in engines:
                run.evaluations += 1
                try:
                    reports[engine] = check(snapshot, engine=engine, lang=lang, readiness_only=readiness_only,
                                            rulebook=book).to_dict()
                except Exception as err:  # noqa: BLE001 - a failure is a difference too
                    reports[engine] = f"{type(err).__name__}: {err}"
            reference = engines[0]
            for other in engines[1:]:
                found = first_difference(reports[reference], reports[other])
                if found is not None:
                    both = isinstance(reports[other], dict) and isinstance(reports[reference], dict)
                    where = found[0] if both else f"{reports[reference]!s:.200} / {reports[other]!s:.200}"
                    run.differences.append(Difference(index, drawn, snapshot, lang, readiness_only,
                                                       (reference, other), where))
    return run
