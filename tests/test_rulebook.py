"""Loading rule files: a broken file fails at load, naming the file, the rule id and the path."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from preflight.rulebook import RulesInvalid, load_rulebook

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
theme: Test
rules:
  - id: pending-docs
    title: {nl: Wacht, en: Waiting}
    severity: blocking
    mode: audit
    scope: administration
    step: authorisations
    faq: Worden alle documenten en gebruikers in de huidige administratie overgezet?
    faq_url: https://support.basecone.com/nl/articles/3185110-faq-externe-migraties
    when: {gt: {pending_authorisation: 0}}
    evidence: [pending_authorisation]
    message: {nl: "{pending_authorisation} wachten", en: "{pending_authorisation} waiting"}
    remedy: {nl: Keur goed, en: Approve}
    examples:
      - {name: fires, snapshot: {administrations: [{code: "1001", pending_authorisation: 2}]}, fires: ["administration:1001"]}
      - {name: silent, snapshot: {}, fires: []}
"""


def write_rules(tmp_path: Path, text: str, name: str = "test.yaml") -> Path:
    for data in ("examples-base.yaml", "plan.yaml", "display-names.yaml"):
        shutil.copy(ROOT / "rules" / data, tmp_path / data)
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RulesInvalid) as caught:
        load_rulebook(write_rules(tmp_path, text))
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads(tmp_path):
    """A minimal rule file loads into one rule."""
    book = load_rulebook(write_rules(tmp_path, GOOD))
    assert [r.id for r in book.rules] == ["pending-docs"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("gt: {pending_authorisation: 0}", "gt: {pending_authorization: 0}"),
         "test.yaml: rule pending-docs /rules/0/when/gt/pending_authorization: unknown field 'pending_authorization' of administration"),
        (("{pending_authorisation} waiting", "{pending} waiting"),
         "test.yaml: rule pending-docs /rules/0/message/en: unknown field 'pending' of administration"),
        (("severity: blocking", "severity: fatal"),
         "test.yaml: rule pending-docs /rules/0/severity: 'fatal' is not one of"),
        (("gt: {pending_authorisation: 0}", "gt: {pending_authorisation: '0'}"),
         "test.yaml: rule pending-docs /rules/0/when/gt/pending_authorisation: pending_authorisation is int, compared with str"),
        (("gt: {pending_authorisation: 0}", "gt: {accounting_system: 0}"),
         "compared with int"),
        (("gt: {pending_authorisation: 0}", "any: [{contains: {target_office.administrations: x}}]"),
         "may only appear in the rule's top-level 'all'"),
        (("evidence: [pending_authorisation]", "evidence: [target_office.nope]"),
         "/rules/0/evidence/0: unknown field 'nope' of target_office"),
        (("scope: administration", "scope: office"),
         "/rules/0/scope: 'office' is not one of"),
        (("gt: {pending_authorisation: 0}", "gt: {pending_authorisation: 0}, eval: '1'"),
         "/rules/0/when"),
        (("step: authorisations", "step: paperwork"),
         "test.yaml: rule pending-docs /step: unknown step 'paperwork'"),
        (("{pending_authorisation} waiting", "{pending_authorisation, plural, one {# waits}}"),
         "/rules/0/message/en: the plural of 'pending_authorisation' needs an 'other' choice"),
        (("{pending_authorisation} waiting", "{code, plural, one {#} other {#}}"),
         "/rules/0/message/en: {code, plural, …} needs a number field"),
        (("{pending_authorisation} waiting", "{pending_authorisation, plural, few {#} other {#}}"),
         "/rules/0/message/en: en has no plural category 'few'"),
        (("{pending_authorisation} waiting", "{pending_authorisation waiting"),
         "/rules/0/message/en: a '{' is never closed"),
        (("remedy: {nl: Keur goed, en: Approve}", "remedy: [{if_phase: [completed], nl: Keur goed, en: Approve}]"),
         "/rules/0/remedy/0: the last variant must have no if_present or if_phase"),
        (("faq_url: https://support.basecone.com/nl/articles/3185110-faq-externe-migraties", "faq_url: ftp://x"),
         "/rules/0/faq_url: 'ftp://x' does not match"),
    ],
)
def test_a_broken_rule_names_file_rule_and_path(tmp_path, change, expected):
    """Unknown fields, placeholders, types and shapes are refused at load, with a location."""
    old, new = change
    assert old in GOOD
    problems = problems_of(tmp_path, GOOD.replace(old, new))
    assert any(expected in p for p in problems), problems


def test_duplicate_rule_ids_across_files_are_refused(tmp_path):
    """Two files defining the same id: the second is named."""
    write_rules(tmp_path, GOOD, "a.yaml")
    (tmp_path / "b.yaml").write_text(textwrap.dedent(GOOD), encoding="utf-8")
    with pytest.raises(RulesInvalid) as caught:
        load_rulebook(tmp_path)
    assert any(str(p) == "b.yaml: rule pending-docs /id: duplicate rule id, also in a.yaml" for p in caught.value.problems)


def test_invalid_yaml_gives_line_and_column(tmp_path):
    """A rule file that is not YAML: file, line and column."""
    problems = problems_of(tmp_path, "theme: x\nrules:\n  - id: [unclosed\n")
    assert problems and problems[0].startswith("test.yaml: line 4, column 1: invalid YAML")


def test_examples_must_show_firing_and_silence(tmp_path):
    """A rule with only firing examples is refused."""
    text = GOOD.replace('- {name: silent, snapshot: {}, fires: []}', '- {name: also, snapshot: {}, fires: ["administration:1001"]}')
    problems = problems_of(tmp_path, text)
    assert any("one example that fires and one that does not" in p for p in problems)


def test_a_new_rule_needs_only_yaml(tmp_path):
    """Adding a rule the FAQ implies is a YAML block in a rules folder of its own: it loads and
    runs on every engine — the compiled one included — without Python changes."""
    for path in (ROOT / "rules").glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "extra.yaml").write_text(textwrap.dedent("""
        theme: Extra
        rules:
          - id: documents-total-large
            title: {nl: Veel documenten, en: Many documents}
            severity: info
            mode: audit
            scope: administration
            step: good-to-know
            faq: Worden alle documenten en gebruikers in de huidige administratie overgezet?
            faq_url: https://support.basecone.com/nl/articles/3185110-faq-externe-migraties
            when: {ge: {documents_total: 100000}}
            evidence: [documents_total]
            message: {nl: "{documents_total} documenten gaan mee", en: "{documents_total} documents move"}
            remedy: {nl: Plan ruim, en: Allow time}
            examples:
              - {name: big, snapshot: {administrations: [{code: "1001", documents_total: 250000}]}, fires: ["administration:1001"]}
              - {name: small, snapshot: {}, fires: []}
    """), encoding="utf-8")
    book = load_rulebook(tmp_path)
    rule = book.by_id("documents-total-large")
    from preflight.pipeline import available_engines, check
    from preflight.rule_examples import example_snapshot, load_base

    for example in rule.examples:
        snapshot = example_snapshot(example, load_base(tmp_path))
        reports = {engine: check(snapshot, engine=engine, rulebook=book) for engine in available_engines()}
        for engine, report in reports.items():  # the compiled engine compiles the new rule too
            fired = [f.subject for f in report.findings if f.rule == rule.id]
            assert fired == list(example.fires), (engine, example.name)
        assert len({report.to_json() for report in reports.values()}) == 1


def test_a_new_step_needs_only_yaml(tmp_path):
    """A step added to plan.yaml, and a rule naming it: the plan shows it in its order."""
    import yaml

    from preflight.engine_python import PythonEngine
    from preflight.facts import derive_facts
    from preflight.findings import build_findings
    from preflight.report import build_report
    from preflight.rule_examples import example_snapshot, load_base

    write_rules(tmp_path, GOOD.replace("step: authorisations", "step: paperwork"))
    plan = yaml.safe_load((tmp_path / "plan.yaml").read_text(encoding="utf-8"))
    plan["steps"].append({"id": "paperwork", "order": 9, "actor": "source_office",
                          "title": {"nl": "Papierwerk", "en": "Paperwork"},
                          "action": {"nl": "Eerst het papierwerk.", "en": "Paperwork first."}})
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    book = load_rulebook(tmp_path)
    snapshot = example_snapshot(book.rules[0].examples[0], load_base(tmp_path))
    facts = derive_facts(snapshot)
    findings = build_findings(PythonEngine(book).evaluate(facts), facts, book, "en")
    report = build_report(snapshot, facts.phase, findings, book, "en")
    assert [(step.step, step.title, step.action) for step in report.plan] == [
        ("paperwork", "Paperwork", "Paperwork first.")
    ]


def test_a_broken_plan_names_the_file_and_path(tmp_path):
    """plan.yaml is checked against its schema; a step order given twice is named."""
    import yaml

    write_rules(tmp_path, GOOD)
    plan = yaml.safe_load((tmp_path / "plan.yaml").read_text(encoding="utf-8"))
    plan["steps"][1]["order"] = plan["steps"][0]["order"]
    plan["steps"][2]["actor"] = "the intern"
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesInvalid) as caught:
        load_rulebook(tmp_path)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("plan.yaml: /steps/2/actor: 'the intern' is not one of") for p in problems), problems


def test_display_names_are_checked(tmp_path):
    """display-names.yaml must give both languages for every code."""
    write_rules(tmp_path, GOOD)
    path = tmp_path / "display-names.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("superuser: {nl: Supergebruiker, en: superuser}",
                                                             "superuser: {nl: Supergebruiker}"), encoding="utf-8")
    with pytest.raises(RulesInvalid) as caught:
        load_rulebook(tmp_path)
    assert any("display-names.yaml: /role/superuser: 'en' is a required property" in str(p) for p in caught.value.problems)


def _nested(levels: int, key: str = "all") -> str:
    inner = "{gt: {pending_authorisation: 0}}"
    for _ in range(levels):
        inner = f"{{not: {inner}}}" if key == "not" else f"{{{key}: [{inner}]}}"
    return inner


@pytest.mark.parametrize(("levels", "key"), [(9, "all"), (450, "all"), (900, "not")])
def test_a_deeply_nested_condition_is_refused_with_its_path(tmp_path, levels, key):
    """A condition nested past eight levels of all/any/not is refused with file, rule and path —
    450 levels of all once loaded and then crashed the interpreter with a RecursionError."""
    problems = problems_of(tmp_path, GOOD.replace("when: {gt: {pending_authorisation: 0}}", f"when: {_nested(levels, key)}"))
    assert len(problems) == 1
    assert problems[0].startswith(f"test.yaml: rule pending-docs /rules/0/when/{key}")
    assert f"nests all/any/not {levels} deep; at most 8" in problems[0]


def test_eight_levels_of_nesting_load():
    """Eight levels of all/any/not are within the bound (the shipped rules use two)."""
    import yaml

    from preflight.conditions import parse_condition
    parse_condition(yaml.safe_load(_nested(8, "any")), "administration")


@pytest.mark.parametrize(("when", "expected"), [
    ("{all: [" + ", ".join(["{gt: {pending_authorisation: 0}}"] * 8) + "]}",
     "/rules/0/when: the condition holds 8 tests; at most 7 are allowed in one rule"),
    ("{all: [{any: [{in: {accounting_system: [a, b, c]}}, {eq: {payment_agreement: true}}]}, "
     "{in: {code: ['1', '2', '3', '4', '5']}}, {ne: {accounting_system: {ref: target_office.accounting_link}}}]}",
     "give more than 16 alternatives once multiplied out: split it into rules"),
    ("{not: {eq: {accounting_system: {ref: target_office.accounting_link}}}}",
     "a comparison with {ref: ...} cannot be negated; use the opposite comparison"),
    ("{any: [{eq: {accounting_system: twinfield}}, {eq: {target_office.subscription: trial}}]}",
     "an any/not may test fields of one fact only"),
    ("{eq: {payment_agreement: {ref: pending_authorisation}}}",
     "payment_agreement is bool, compared with int {ref: pending_authorisation}: types must match"),
])
def test_conditions_outside_the_languages_limits_are_refused(tmp_path, when, expected):
    """What an engine could not evaluate exactly is refused at load, with what to write instead."""
    problems = problems_of(tmp_path, GOOD.replace("when: {gt: {pending_authorisation: 0}}", f"when: {when}"))
    assert any(expected in p and "rule pending-docs /rules/0/when" in p for p in problems), problems


def test_a_ref_inside_any_within_the_bound_loads(tmp_path):
    """{ref} inside any is allowed (each alternative becomes a durable rule of its own)."""
    text = GOOD.replace("when: {gt: {pending_authorisation: 0}}", "when: {any: [{gt: {pending_authorisation: 0}}, "
                        "{eq: {accounting_system: {ref: target_office.accounting_link}}}]}")
    assert [r.id for r in load_rulebook(write_rules(tmp_path, text)).rules] == ["pending-docs"]
