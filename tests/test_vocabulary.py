"""One vocabulary: the words defined in preflight.vocabulary are the ones the schemas allow."""

from __future__ import annotations

from preflight import vocabulary
from preflight.resources import load_schema


def test_report_schema_speaks_the_vocabulary():
    """Verdicts, phases, severities, languages and actors of the report schema."""
    schema = load_schema("report.schema.json")
    props = schema["properties"]
    assert tuple(props["verdict"]["enum"]) == ("ready", "blocked", "completed", "invalid")
    assert set(props["verdict"]["enum"]) == set(vocabulary.VERDICTS)
    assert tuple(props["phase"]["enum"]) == vocabulary.PHASES
    assert tuple(props["lang"]["enum"]) == vocabulary.LANGUAGES
    assert tuple(schema["$defs"]["Finding"]["properties"]["severity"]["enum"]) == vocabulary.SEVERITIES
    assert tuple(schema["$defs"]["PlanStep"]["properties"]["actor"]["enum"]) == vocabulary.ACTORS
    assert tuple(schema["$defs"]["Finding"]["properties"]["about"]["properties"]["kind"]["enum"]) == vocabulary.SUBJECT_KINDS
    statuses = [s for s in schema["$defs"]["Context"]["properties"]["status"]["enum"] if s is not None]
    assert tuple(statuses) == vocabulary.STATUSES


def test_rule_and_plan_schemas_speak_the_vocabulary():
    """Severities, modes, phases and actors of the rule and plan files."""
    rules = load_schema("rules.schema.json")["$defs"]
    assert tuple(rules["rule"]["properties"]["severity"]["enum"]) == vocabulary.SEVERITIES
    assert tuple(rules["rule"]["properties"]["mode"]["enum"]) == vocabulary.RULE_MODES
    variant = rules["text"]["oneOf"][1]["items"]["properties"]
    assert tuple(variant["if_phase"]["items"]["enum"]) == vocabulary.PHASES
    plan = load_schema("plan.schema.json")
    assert tuple(plan["properties"]["steps"]["items"]["properties"]["actor"]["enum"]) == vocabulary.ACTORS


def test_every_status_has_a_phase_and_the_snapshot_agrees():
    """Each migration status of the snapshot contract maps to a phase."""
    snapshot = load_schema("snapshot.schema.json")
    statuses = _find_enum(snapshot, "status")
    assert set(statuses) == set(vocabulary.STATUSES) == set(vocabulary.PHASE_OF_STATUS)
    assert set(vocabulary.PHASE_OF_STATUS.values()) | {"audit"} == set(vocabulary.PHASES)


def test_every_verdict_has_an_exit_status():
    """ready and completed 0, blocked 1, invalid 2 (report.md)."""
    assert vocabulary.EXIT_STATUS == {"ready": 0, "completed": 0, "blocked": 1, "invalid": 2}


def _find_enum(node, key):
    if isinstance(node, dict):
        if key in node.get("properties", {}) and "enum" in node["properties"][key]:
            return node["properties"][key]["enum"]
        for value in node.values():
            found = _find_enum(value, key)
            if found:
                return found
    if isinstance(node, list):
        for value in node:
            found = _find_enum(value, key)
            if found:
                return found
    return None
