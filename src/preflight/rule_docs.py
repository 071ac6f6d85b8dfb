"""The rules reference (docs/rules.md), generated from rules/ so it cannot drift from them."""

from __future__ import annotations

import json

import yaml

from .rule_examples import load_base
from .rulebook import RuleBook

_SEVERITY_NL = {"blocking": "blokkerend", "advisory": "advies", "info": "info"}


def rules_markdown(rulebook: RuleBook) -> str:
    """One section per rule: id, severity, mode, FAQ question, condition, texts and examples."""
    out = [
        "# Rules reference",
        "",
        "Generated from `rules/*.yaml` by `preflight rules --format markdown`; do not edit by hand.",
        "The rule language and the facts rules can read are described in `docs/rule-language.md`.",
        "",
        "| id | severity | mode | scope | FAQ question |",
        "|---|---|---|---|---|",
    ]
    for rule in rulebook.rules:
        link = f"[`{rule.id}`](#{rule.id})"
        out.append(f"| {link} | {rule.severity} | {rule.catalogue_mode()} | {rule.scope} | {rule.faq} |")
    for rule in rulebook.rules:
        out += [
            "",
            f"## {rule.id}",
            "",
            f"- severity: **{rule.severity}** ({_SEVERITY_NL[rule.severity]}); mode: {rule.catalogue_mode()} "
            f"({'also in audits' if rule.mode == 'audit' else 'only with a migration'}); scope: `{rule.scope}`; "
            f"file: `rules/{rule.file}`",
            f"- FAQ: *{rule.faq}*",
        ]
        if rule.description:
            out.append(f"- why: {rule.description}")
        condition = yaml.safe_dump(rule.raw_when, allow_unicode=True, sort_keys=False).strip()
        out += ["", "Fires when:", "", "```yaml", condition, "```", ""]
        message, remedy = rule.message[-1], rule.remedy[-1]
        out += [f"- message (nl): {message.nl}", f"- message (en): {message.en}",
                f"- remedy (nl): {remedy.nl}", f"- remedy (en): {remedy.en}", "", "Examples:", ""]
        for example in rule.examples:
            verdict = f"fires for {', '.join(f'`{s}`' for s in example.fires)}" if example.fires else "does not fire"
            fragment = json.dumps(example.snapshot, ensure_ascii=False)
            removed = f", without {', '.join(example.remove)}" if example.remove else ""
            out.append(f"- {example.name}: {verdict} — `{fragment}`{removed}")
    out += ["", "## The example base snapshot", "",
            "Every example above is merged into `rules/examples-base.yaml` (mappings merge; a list",
            "replaces the base list, each of its mappings completed from the base list's first item):",
            "", "```yaml", yaml.safe_dump(load_base(), allow_unicode=True, sort_keys=False).strip(), "```", ""]
    return "\n".join(out)
