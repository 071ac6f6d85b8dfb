"""Step 4: load the YAML rules of rules/, check them and turn them into :class:`Rule` values.

A rule file that breaks schemas/rules.schema.json, names an unknown field, list or placeholder,
or repeats a rule id, fails here with file, rule id and the path inside the file — before any
snapshot is evaluated. Adding a rule needs a YAML block, never Python.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from .conditions import Condition, ConditionError, parse_condition
from .facts import FACT_FIELDS, SINGLETON_SCOPES, SUBJECT_TEMPLATES
from .problems import json_pointer
from .resources import load_schema, rules_dir

SEVERITIES = ("blocking", "advisory", "info")
#: libyaml's safe loader reads the rule files ~10x faster than PyYAML's pure-Python one (every
#: process loads them at start); the pure-Python one where PyYAML was built without libyaml.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class RuleProblem:
    """Why a rule file cannot be used."""

    file: str
    rule_id: str | None
    path: str
    message: str

    def __str__(self) -> str:
        rule = f" rule {self.rule_id}" if self.rule_id else ""
        return f"{self.file}:{rule} {self.path or '/'}: {self.message}"


class RulesInvalid(Exception):
    """One or more rule files are broken; ``problems`` lists them all."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class TextVariant:
    """A message or remedy in both languages, used when every ``if_present`` field is present."""

    if_present: tuple[str, ...]
    nl: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Example:
    """A snapshot fragment and the subjects the rule must report for it."""

    name: str
    snapshot: dict[str, Any]
    remove: tuple[str, ...]
    fires: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One FAQ constraint, as written in a rule file."""

    id: str
    severity: str
    mode: str  # "audit": runs with and without a migration; "migration": only with one
    scope: str
    faq: str
    theme: str
    when: Condition
    evidence: tuple[str, ...]
    message: tuple[TextVariant, ...]
    remedy: tuple[TextVariant, ...]
    examples: tuple[Example, ...]
    file: str
    raw_when: dict[str, Any]
    description: str = ""

    def runs_in(self, mode: str) -> bool:
        """Whether the rule is evaluated for a snapshot in ``mode`` ('audit' or 'migration')."""
        return mode == "migration" or self.mode == "audit"

    def catalogue_mode(self) -> str:
        """The catalogue's letter: A (audit mode too) or M (migration only)."""
        return "A" if self.mode == "audit" else "M"

    def to_dict(self) -> dict[str, Any]:
        """The public description of the rule (CLI --format json, GET /api/v1/rules)."""
        return {
            "id": self.id,
            "severity": self.severity,
            "mode": self.catalogue_mode(),
            "scope": self.scope,
            "theme": self.theme,
            "faq": self.faq,
            "when": self.raw_when,
            "evidence": list(self.evidence),
            "message": [_variant_dict(v) for v in self.message],
            "remedy": [_variant_dict(v) for v in self.remedy],
        }


def _variant_dict(variant: TextVariant) -> dict[str, Any]:
    out: dict[str, Any] = {"nl": variant.nl, "en": variant.en}
    if variant.if_present:
        out["if_present"] = list(variant.if_present)
    return out


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per loaded rule set
class RuleBook:
    """All rules, in id order, and a digest that changes whenever a rule file does."""

    rules: tuple[Rule, ...]
    digest: str

    def for_mode(self, mode: str) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.runs_in(mode))

    def by_id(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if none)."""
        return _index(self)[rule_id]


@cache
def _index(rulebook: RuleBook) -> dict[str, Rule]:
    return {rule.id: rule for rule in rulebook.rules}


def load_rulebook(directory: Path | None = None) -> RuleBook:
    """Load every ``*.yaml`` of ``directory`` (default: the project's rules/)."""
    directory = directory or rules_dir()
    files = sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("examples-"))
    if not files:
        raise RulesInvalid([RuleProblem(str(directory), None, "", "no rule files (*.yaml) found")])
    problems: list[RuleProblem] = []
    rules: list[Rule] = []
    digest = hashlib.sha256()
    for path in files:
        content = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + content + b"\0")
        rules.extend(_load_file(path, content, problems))
    first_file: dict[str, str] = {}
    for rule in rules:
        if rule.id in first_file:
            problems.append(RuleProblem(rule.file, rule.id, "/id", f"duplicate rule id, also in {first_file[rule.id]}"))
        first_file.setdefault(rule.id, rule.file)
    if problems:
        raise RulesInvalid(problems)
    return RuleBook(tuple(sorted(rules, key=lambda r: r.id)), digest.hexdigest()[:16])


@cache
def default_rulebook() -> RuleBook:
    """The project's rules, loaded once per process."""
    return load_rulebook()


def _load_file(path: Path, content: bytes, problems: list[RuleProblem]) -> Iterable[Rule]:
    name = path.name
    try:
        document = yaml.load(content, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(RuleProblem(name, None, where, f"invalid YAML: {getattr(err, 'problem', err)}"))
        return []
    errors = [] if _rules_schema().is_valid(document) else _schema_errors(document)
    if errors:
        for schema_error in errors:
            pointer = json_pointer(schema_error.absolute_path)
            rule_id = _rule_id_at(document, schema_error.absolute_path)
            problems.append(RuleProblem(name, rule_id, pointer, schema_error.message[:300]))
        return []
    out = []
    for index, raw in enumerate(document["rules"]):
        base = f"/rules/{index}"
        try:
            out.append(_build_rule(raw, document["theme"], name, base))
        except ConditionError as err:
            problems.append(RuleProblem(name, raw["id"], base + err.path, str(err)))
    return out


@cache
def _rules_schema() -> Any:
    return jsonschema_rs.validator_for(load_schema("rules.schema.json"))


def _schema_errors(document: Any) -> list[Any]:
    """Every way a rule file breaks rules.schema.json, worded by python-jsonschema.

    Imported only for a broken file: valid ones are checked by jsonschema-rs above, which spares
    every process the import.
    """
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema("rules.schema.json"))
    return sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))


def _rule_id_at(document: Any, path: Iterable[Any]) -> str | None:
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(document, dict):
        try:
            rule_id = document["rules"][parts[1]].get("id")
            return rule_id if isinstance(rule_id, str) else None
        except (IndexError, AttributeError, TypeError, KeyError):
            return None
    return None


def _build_rule(raw: dict[str, Any], theme: str, file: str, base: str) -> Rule:
    scope = raw["scope"]
    when = parse_condition(raw["when"], scope)
    evidence = tuple(raw.get("evidence", ()))
    for i, name in enumerate(evidence):
        _check_name(name, scope, f"/evidence/{i}")
    message = _texts(raw["message"], scope, "/message")
    remedy = _texts(raw["remedy"], scope, "/remedy")
    examples = tuple(
        Example(e["name"], e["snapshot"], tuple(e.get("remove", ())), tuple(e["fires"]))
        for e in raw["examples"]
    )
    if not any(e.fires for e in examples) or all(e.fires for e in examples):
        raise ConditionError("/examples", "needs at least one example that fires and one that does not")
    prefix = SUBJECT_TEMPLATES[scope].split("{")[0]
    for i, example in enumerate(examples):
        for subject in example.fires:
            if not subject.startswith(prefix):
                raise ConditionError(
                    f"/examples/{i}/fires", f"{subject!r}: a {scope} rule reports subjects {SUBJECT_TEMPLATES[scope]!r}"
                )
    return Rule(
        id=raw["id"], severity=raw["severity"], mode=raw["mode"], scope=scope, faq=raw["faq"],
        theme=theme, when=when, evidence=evidence, message=message, remedy=remedy,
        examples=examples, file=file, raw_when=raw["when"], description=raw.get("description", ""),
    )


def _check_name(name: str, scope: str, path: str) -> None:
    """A placeholder or evidence name: an own field, or scope.field of a singleton."""
    if "." in name:
        other, field_name = name.split(".", 1)
        if other not in SINGLETON_SCOPES and other != scope:
            raise ConditionError(path, f"{other!r} is not a scope that can be referenced")
        if field_name not in FACT_FIELDS[other]:
            raise ConditionError(path, f"unknown field {field_name!r} of {other}")
    elif name not in FACT_FIELDS[scope]:
        raise ConditionError(path, f"unknown field {name!r} of {scope}")


def _texts(raw: Any, scope: str, path: str) -> tuple[TextVariant, ...]:
    items = [raw] if isinstance(raw, dict) else list(raw)
    variants = []
    for i, item in enumerate(items):
        here = path if isinstance(raw, dict) else f"{path}/{i}"
        condition = tuple(item.get("if_present", ()))
        for j, name in enumerate(condition):
            _check_name(name, scope, f"{here}/if_present/{j}")
        for lang in LANGUAGES:
            for name in placeholders(item[lang], f"{here}/{lang}"):
                _check_name(name, scope, f"{here}/{lang}")
        variants.append(TextVariant(condition, item["nl"], item["en"]))
    if variants[-1].if_present:
        raise ConditionError(f"{path}/{len(items) - 1}", "the last variant must have no if_present")
    return tuple(variants)


def placeholders(template: str, path: str = "") -> list[str]:
    """The ``{name}`` placeholders of a template (``{{`` and ``}}`` are literal braces)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise ConditionError(path, f"bad placeholder in {template!r}: {err}") from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name:
            raise ConditionError(path, f"placeholders are plain {{field}} names: {template!r}")
        names.append(name)
    return names
