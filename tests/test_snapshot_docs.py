"""docs/snapshot.md and schemas/snapshot.schema.json describe the same fields."""

from __future__ import annotations

import re
from pathlib import Path

from preflight.resources import load_schema

ROOT = Path(__file__).resolve().parent.parent


def documented() -> dict[str, set[str]]:
    """Object name (a '## ' heading) -> the fields in its table (rows starting with | `field` |)."""
    fields: dict[str, set[str]] = {}
    current = None
    for line in (ROOT / "docs" / "snapshot.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].split()[0]
        elif current and (match := re.match(r"\| `([^`]+)` \|", line)):
            fields.setdefault(current, set()).add(match.group(1))
    return fields


def in_schema() -> dict[str, set[str]]:
    """'Snapshot' -> the top-level properties; each $defs object -> its own properties."""
    schema = load_schema("snapshot.schema.json")
    out = {"Snapshot": set(schema["properties"])}
    for name, node in schema["$defs"].items():
        out[name] = set(node.get("properties", {}))
    return out


def test_every_field_of_the_schema_is_documented_and_nothing_else():
    """Each object of the schema has a section in docs/snapshot.md with a row per field, and no more."""
    docs, schema = documented(), in_schema()
    missing = sorted(f"{obj}.{f}" for obj, names in schema.items() for f in names - docs.get(obj, set()))
    extra = sorted(f"{obj}.{f}" for obj, names in docs.items() for f in names - schema.get(obj, set()))
    assert not missing, f"docs/snapshot.md: add a row under '## <object>' for each of {missing}"
    assert not extra, f"docs/snapshot.md documents fields the schema lacks (remove them or add them to the schema): {extra}"


def test_the_documented_lengths_are_the_schema_s():
    """Where the page states a length ('1 to 64 characters'), it is the schema's."""
    schema = load_schema("snapshot.schema.json")
    text = (ROOT / "docs" / "snapshot.md").read_text(encoding="utf-8")
    office = schema["$defs"]["Office"]["properties"]["code"]
    admin = schema["$defs"]["Administration"]["properties"]["code"]
    assert f"| `code` | text, {office['minLength']} to {office['maxLength']} characters |" in text
    assert f"| `code` | code, {admin['minLength']} to {admin['maxLength']} characters |" in text
