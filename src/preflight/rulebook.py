"""Step 4: load the YAML rules of rules/, check them and turn them into :class:`Rule` values.

Besides the rule files (one per FAQ theme), rules/ holds two data files: ``plan.yaml`` (the steps
of the plan, in order, with who acts) and ``display-names.yaml`` (how codes are shown to people).
A file that breaks its schema, a rule that names an unknown field, list, placeholder or step,
or repeats a rule id, fails here with file, rule id and the path inside the file — before any
snapshot is evaluated. Adding a rule or a step needs YAML, never Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from .conditions import Condition, ConditionError, check_depth, parse_condition
from .facts import FACT_FIELDS, SINGLETON_SCOPES, SUBJECT_KINDS
from .problems import json_pointer
from .resources import load_schema, rules_dir
from .vocabulary import LANGUAGES, Severity
from .wording import DisplayNames, Template, TemplateError, parse_template, plural_categories

#: Files of rules/ that hold data, not rules (each with a schema of its own).
PLAN_FILE = "plan.yaml"
DISPLAY_NAMES_FILE = "display-names.yaml"
EXAMPLES_BASE_FILE = "examples-base.yaml"
_DATA_FILES = (PLAN_FILE, DISPLAY_NAMES_FILE, EXAMPLES_BASE_FILE)
#: How deep any rule file may nest mappings and lists (a rule needs about twenty levels with a
#: condition at MAX_CONDITION_DEPTH): checked before the schema, whose validators recurse.
MAX_FILE_DEPTH = 64
#: libyaml's safe loader reads the rule files ~10x faster than PyYAML's pure-Python one (every
#: process loads them at start); the pure-Python one where PyYAML was built without libyaml.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    templates: dict[str, Template] = field(compare=False, repr=False, default_factory=dict)
    if_phase: tuple[str, ...] = ()  # used only in these phases (empty: any)

    def in_language(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    def template(self, lang: str) -> Template:
        return self.templates[lang]


@dataclass(frozen=True)
class Translated:
    """A short text in both languages (titles, step actions)."""

    nl: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Example:
    """A snapshot fragment and the subjects the rule must report for it (with ``severity``: the
    severity every such finding must have, which depends on the phase)."""

    name: str
    snapshot: dict[str, Any]
    remove: tuple[str, ...]
    fires: tuple[str, ...]
    severity: str | None = None


@dataclass(frozen=True)
class AfterCompletion:
    """How a rule speaks once the migration is completed (rules.md, catalogue v2, "Phases")."""

    severity: Severity
    step: str | None = None  # another step of the plan then, when given


@dataclass(frozen=True)
class Step:
    """One step of the plan: what must happen, who acts, in which order."""

    id: str
    order: int
    actor: str
    title: Translated
    action: Translated

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "order": self.order, "actor": self.actor,
                "title": self.title.to_dict(), "action": self.action.to_dict()}


@dataclass(frozen=True)
class Rule:
    """One FAQ constraint, as written in a rule file."""

    id: str
    severity: Severity
    mode: str  # "audit": runs with and without a migration; "migration": only with one
    scope: str
    faq: str
    faq_url: str
    step: str
    title: Translated
    theme: str
    when: Condition
    evidence: tuple[str, ...]
    message: tuple[TextVariant, ...]
    remedy: tuple[TextVariant, ...]
    examples: tuple[Example, ...]
    file: str
    raw_when: dict[str, Any]
    description: str = ""
    after_completion: AfterCompletion | None = None
    batch: str | None = None  # "cannot_move": an administration it fires for can never move

    def runs_in(self, phase: str) -> bool:
        """Whether the rule is evaluated in ``phase`` (rules.md, catalogue v2): after completion
        only the rules that say so; without a migration only the audit rules; else all."""
        if phase == "completed":
            return self.after_completion is not None
        if phase == "audit":
            return self.mode == "audit"
        return True

    def severity_in(self, phase: str) -> Severity:
        """The rule's severity in ``phase``."""
        if phase == "completed" and self.after_completion is not None:
            return self.after_completion.severity
        return self.severity

    def step_in(self, phase: str) -> str:
        """The step of the plan the rule's findings belong to in ``phase``."""
        if phase == "completed" and self.after_completion is not None and self.after_completion.step:
            return self.after_completion.step
        return self.step

    def catalogue_mode(self) -> str:
        """The catalogue's letter: A (audit mode too) or M (migration only)."""
        return "A" if self.mode == "audit" else "M"

    def to_dict(self) -> dict[str, Any]:
        """The public description of the rule (CLI --format json, GET /api/v1/rules)."""
        out: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity,
            "mode": self.catalogue_mode(),
            "scope": self.scope,
            "theme": self.theme,
            "title": self.title.to_dict(),
            "step": self.step,
            "faq": self.faq,
            "faq_url": self.faq_url,
            "when": self.raw_when,
            "evidence": list(self.evidence),
            "message": [_variant_dict(v) for v in self.message],
            "remedy": [_variant_dict(v) for v in self.remedy],
        }
        if self.after_completion is not None:
            after: dict[str, Any] = {"severity": self.after_completion.severity}
            if self.after_completion.step:
                after["step"] = self.after_completion.step
            out["after_completion"] = after
        if self.batch:
            out["batch"] = self.batch
        return out


def _variant_dict(variant: TextVariant) -> dict[str, Any]:
    out: dict[str, Any] = {"nl": variant.nl, "en": variant.en}
    if variant.if_present:
        out["if_present"] = list(variant.if_present)
    if variant.if_phase:
        out["if_phase"] = list(variant.if_phase)
    return out


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per loaded rule set
class RuleBook:
    """All rules, in id order, the plan's steps in order, the display names, and a digest that
    changes whenever a file of rules/ does."""

    rules: tuple[Rule, ...]
    digest: str
    steps: tuple[Step, ...] = ()
    display: DisplayNames = field(default_factory=lambda: DisplayNames({}))
    batch_size: int = 5

    def for_phase(self, phase: str) -> tuple[Rule, ...]:
        """The rules evaluated in ``phase``."""
        return _by_phase(self)[phase]

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if none)."""
        return _steps(self)[step_id]

    def by_id(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if none)."""
        return _index(self)[rule_id]


@cache
def _index(rulebook: RuleBook) -> dict[str, Rule]:
    return {rule.id: rule for rule in rulebook.rules}


@cache
def _steps(rulebook: RuleBook) -> dict[str, Step]:
    return {step.id: step for step in rulebook.steps}


@cache
def _by_phase(rulebook: RuleBook) -> dict[str, tuple[Rule, ...]]:
    from .vocabulary import PHASES

    return {phase: tuple(rule for rule in rulebook.rules if rule.runs_in(phase)) for phase in PHASES}


def load_rulebook(directory: Path | None = None) -> RuleBook:
    """Load every ``*.yaml`` of ``directory`` (default: the project's rules/)."""
    directory = directory or rules_dir()
    files = sorted(p for p in directory.glob("*.yaml") if p.name not in _DATA_FILES)
    if not files:
        raise RulesInvalid([RuleProblem(str(directory), None, "", "no rule files (*.yaml) found")])
    problems: list[RuleProblem] = []
    rules: list[Rule] = []
    digest = hashlib.sha256()
    plan = _load_data(directory / PLAN_FILE, "plan.schema.json", problems, digest)
    names = _load_data(directory / DISPLAY_NAMES_FILE, "display-names.schema.json", problems, digest)
    for path in files:
        content = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + content + b"\0")
        rules.extend(_load_file(path, content, problems))
    first_file: dict[str, str] = {}
    for rule in rules:
        if rule.id in first_file:
            problems.append(RuleProblem(rule.file, rule.id, "/id", f"duplicate rule id, also in {first_file[rule.id]}"))
        first_file.setdefault(rule.id, rule.file)
    steps = _steps_of(plan, problems) if plan is not None else ()
    known_steps = {step.id for step in steps}
    for rule in rules:
        after = rule.after_completion.step if rule.after_completion else None
        for where, step_id in (("/step", rule.step), ("/after_completion/step", after)):
            if step_id and plan is not None and step_id not in known_steps:
                message = f"unknown step {step_id!r} (the steps in {PLAN_FILE}: {', '.join(sorted(known_steps))})"
                problems.append(RuleProblem(rule.file, rule.id, where, message))
    if problems:
        raise RulesInvalid(problems)
    return RuleBook(
        tuple(sorted(rules, key=lambda r: r.id)),
        digest.hexdigest()[:16],
        steps,
        DisplayNames(names or {}),
        int(plan["batch_size"]) if plan is not None else 5,
    )


def _load_data(path: Path, schema_name: str, problems: list[RuleProblem], digest: Any) -> Any:
    """A data file of rules/ (the plan, the display names), checked against its schema."""
    try:
        content = path.read_bytes()
    except OSError as err:
        problems.append(RuleProblem(path.name, None, "", f"cannot be read: {err.strerror or err}"))
        return None
    digest.update(path.name.encode() + b"\0" + content + b"\0")
    try:
        document = yaml.load(content, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        problems.append(RuleProblem(path.name, None, _yaml_where(err), f"invalid YAML: {getattr(err, 'problem', err)}"))
        return None
    if not jsonschema_rs.validator_for(load_schema(schema_name)).is_valid(document):
        from jsonschema import Draft202012Validator

        for error in Draft202012Validator(load_schema(schema_name)).iter_errors(document):
            problems.append(RuleProblem(path.name, None, json_pointer(error.absolute_path), error.message[:300]))
        return None
    return document


def _steps_of(plan: dict[str, Any], problems: list[RuleProblem]) -> tuple[Step, ...]:
    steps = tuple(
        Step(raw["id"], raw["order"], raw["actor"], Translated(**raw["title"]), Translated(**raw["action"]))
        for raw in plan["steps"]
    )
    for kind in ("id", "order"):
        seen: set[Any] = set()
        for index, step in enumerate(steps):
            value = getattr(step, kind)
            if value in seen:
                where = f"/steps/{index}/{kind}"
                problems.append(RuleProblem(PLAN_FILE, None, where, f"{kind} {value!r} is given twice"))
            seen.add(value)
    return tuple(sorted(steps, key=lambda s: s.order))


def _yaml_where(err: Any) -> str:
    mark = getattr(err, "problem_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


@cache
def default_rulebook() -> RuleBook:
    """The project's rules, loaded once per process."""
    return load_rulebook()


def _load_file(path: Path, content: bytes, problems: list[RuleProblem]) -> Iterable[Rule]:
    name = path.name
    try:
        document = yaml.load(content, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        problems.append(RuleProblem(name, None, _yaml_where(err), f"invalid YAML: {getattr(err, 'problem', err)}"))
        return []
    too_deep = _too_deep(document)
    if too_deep:
        problems.extend(RuleProblem(name, rule_id, path, message) for rule_id, path, message in too_deep)
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


def _too_deep(document: Any) -> list[tuple[str | None, str, str]]:
    """Rules whose condition nests all/any/not too deep (conditions.check_depth), else the file
    when it nests past MAX_FILE_DEPTH: (rule id, path, message) each, measured without recursion."""
    out: list[tuple[str | None, str, str]] = []
    rules = document.get("rules") if isinstance(document, dict) else None
    for index, raw in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(raw, dict) and "when" in raw:
            try:
                check_depth(raw["when"], f"/rules/{index}/when")
            except ConditionError as err:
                out.append((raw.get("id") if isinstance(raw.get("id"), str) else None, err.path, str(err)))
    if out:
        return out
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_FILE_DEPTH:
                return [(None, "", f"nests more than {MAX_FILE_DEPTH} levels deep (mappings and lists)")]
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return []


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
        Example(e["name"], e["snapshot"], tuple(e.get("remove", ())), tuple(e["fires"]), e.get("severity"))
        for e in raw["examples"]
    )
    if not any(e.fires for e in examples) or all(e.fires for e in examples):
        raise ConditionError("/examples", "needs at least one example that fires and one that does not")
    kind = SUBJECT_KINDS[scope]
    for i, example in enumerate(examples):
        for subject in example.fires:
            if subject != kind and not subject.startswith(f"{kind}:"):
                raise ConditionError(f"/examples/{i}/fires", f"{subject!r}: a {scope} rule reports subjects '{kind}…'")
    after = raw.get("after_completion")
    return Rule(
        id=raw["id"], severity=raw["severity"], mode=raw["mode"], scope=scope, faq=raw["faq"],
        faq_url=raw["faq_url"], step=raw["step"], title=Translated(**raw["title"]),
        theme=theme, when=when, evidence=evidence, message=message, remedy=remedy,
        examples=examples, file=file, raw_when=raw["when"], description=raw.get("description", ""),
        after_completion=AfterCompletion(after["severity"], after.get("step")) if after else None,
        batch=raw.get("batch"),
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
        phases = tuple(item.get("if_phase", ()))
        for j, name in enumerate(condition):
            _check_name(name, scope, f"{here}/if_present/{j}")
        templates: dict[str, Template] = {}
        for lang in LANGUAGES:
            templates[lang] = _template(item[lang], lang, f"{here}/{lang}")
            for name in templates[lang].names():
                _check_name(name, scope, f"{here}/{lang}")
            for plural in templates[lang].plurals():
                if _field_type(plural.name, scope) != "int":
                    raise ConditionError(f"{here}/{lang}", f"{{{plural.name}, plural, …}} needs a number field")
        variants.append(TextVariant(condition, item["nl"], item["en"], templates, phases))
    if variants[-1].if_present or variants[-1].if_phase:
        raise ConditionError(f"{path}/{len(items) - 1}", "the last variant must have no if_present or if_phase")
    return tuple(variants)


def _template(text: str, lang: str, path: str) -> Template:
    """Parse a message or remedy; its plural choices must be categories ``lang`` has."""
    try:
        template = parse_template(text)
    except TemplateError as err:
        raise ConditionError(path, f"{err} (at character {err.offset + 1} of {text!r})") from None
    allowed = plural_categories(lang)
    for plural in template.plurals():
        for key, _ in plural.branches:
            if not key.startswith("=") and key not in allowed:
                known = ", ".join(sorted(allowed))
                raise ConditionError(path, f"{lang} has no plural category {key!r} (it has {known})")
    return template


def _field_type(name: str, scope: str) -> str:
    """The type of a placeholder name: an own field, or scope.field of a singleton."""
    other, _, field_name = name.rpartition(".")
    return FACT_FIELDS[other or scope][field_name]
