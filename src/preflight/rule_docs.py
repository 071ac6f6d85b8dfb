"""The rules reference (docs/rules.md), generated from rules/ so it cannot drift from them.

``make docs`` (or ``preflight rules --format markdown > docs/rules.md``) writes it.
"""

from __future__ import annotations

import json

import yaml

from .rule_examples import load_base
from .rulebook import Rule, RuleBook, TextVariant

_SEVERITY_NL = {"blocking": "blokkerend", "advisory": "advies", "info": "info"}


def rules_markdown(rulebook: RuleBook) -> str:
    """The plan's steps, then one section per rule: title, severity, phases, step, source,
    condition, texts and examples."""
    out = [
        "# Rules reference",
        "",
        "Generated from `rules/*.yaml` by `make docs` (`preflight rules --format markdown`); do not edit",
        "by hand. The rule language and the facts rules can read are described in `docs/rule-language.md`.",
        "",
        "| id | title | severity | mode | after completion | step | FAQ question |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in rulebook.rules:
        after = rule.after_completion.severity if rule.after_completion else "—"
        out.append(
            f"| [`{rule.id}`](#{rule.id}) | {rule.title.nl} | {rule.severity} | {rule.catalogue_mode()} | {after} "
            f"| {rule.step} | [{rule.faq}]({rule.faq_url}) |"
        )
    out += ["", "## The plan", "",
            f"Steps of `rules/plan.yaml`, in order; at most {rulebook.batch_size} administrations per migration.", "",
            "| order | step | who acts | title (nl / en) | action (nl) |", "|---|---|---|---|---|"]
    for step in rulebook.steps:
        actor = rulebook.display.name("actor", step.actor, "nl")
        out.append(f"| {step.order} | `{step.id}` | {actor} | {step.title.nl} / {step.title.en} | {step.action.nl} |")
    for rule in rulebook.rules:
        out += _rule_section(rule)
    out += ["", "## The example base snapshot", "",
            "Every example above is merged into `rules/examples-base.yaml` (mappings merge; a list",
            "replaces the base list, each of its mappings completed from the base list's first item):",
            "", "```yaml", yaml.safe_dump(load_base(), allow_unicode=True, sort_keys=False).strip(), "```", ""]
    return "\n".join(out)


def _rule_section(rule: Rule) -> list[str]:
    runs = "also in audits" if rule.mode == "audit" else "only with a migration"
    if rule.after_completion:
        after = rule.after_completion
        runs += f"; after completion: **{after.severity}**" + (f", step `{after.step}`" if after.step else "")
    else:
        runs += "; not after completion"
    out = [
        "",
        f"## {rule.id}",
        "",
        f"*{rule.title.nl}* / *{rule.title.en}*",
        "",
        f"- severity: **{rule.severity}** ({_SEVERITY_NL[rule.severity]}); mode: {rule.catalogue_mode()} ({runs})",
        f"- scope: `{rule.scope}`; step of the plan: `{rule.step}`; file: `rules/{rule.file}`",
        f"- source: [{rule.faq}]({rule.faq_url})",
    ]
    if rule.batch:
        out.append(f"- batches: `{rule.batch}`")
    if rule.description:
        out.append(f"- why: {rule.description}")
    condition = yaml.safe_dump(rule.raw_when, allow_unicode=True, sort_keys=False).strip()
    out += ["", "Fires when:", "", "```yaml", condition, "```", ""]
    out += _texts("message", rule.message) + _texts("remedy", rule.remedy)
    out += ["", "Examples:", ""]
    for example in rule.examples:
        verdict = f"fires for {', '.join(f'`{s}`' for s in example.fires)}" if example.fires else "does not fire"
        if example.severity:
            verdict += f" ({example.severity})"
        fragment = json.dumps(example.snapshot, ensure_ascii=False)
        removed = f", without {', '.join(example.remove)}" if example.remove else ""
        out.append(f"- {example.name}: {verdict} — `{fragment}`{removed}")
    return out


def _texts(kind: str, variants: tuple[TextVariant, ...]) -> list[str]:
    out = []
    for variant in variants:
        when = []
        if variant.if_phase:
            when.append(f"in phase {', '.join(variant.if_phase)}")
        if variant.if_present:
            when.append(f"with {', '.join(variant.if_present)}")
        suffix = f" ({'; '.join(when)})" if when else ""
        out += [f"- {kind} (nl){suffix}: {variant.nl}", f"- {kind} (en){suffix}: {variant.en}"]
    return out
