"""The README's table of limits is true: each value is the code's or the schema's, the largest
allowed input is answered on both engines, and one more gives the table's message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight import report as report_module
from preflight import snapshot_loader, snapshot_notices, snapshot_validator
from preflight.pipeline import available_engines, check
from preflight.resources import load_schema
from preflight.snapshot_notices import unknown_fields
from preflight.web import config as web_config

from .conftest import ENGINE_PARAMS

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ENGINE_PARAMS  # durable skipped where durable-rules is not installed (Python 3.13)
MODULES = {"snapshot_loader": snapshot_loader, "snapshot_validator": snapshot_validator,
           "snapshot_notices": snapshot_notices, "report": report_module, "config": web_config}


def limit_rows() -> list[dict[str, Any]]:
    """The rows of README's "Limits" table: what, value, where (constants or schema pointers), message."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("what", "---"):
            continue
        rows.append({
            "what": cells[0],
            "value": int(re.match(r"[\d,]+", cells[1]).group(0).replace(",", "")),
            "where": re.findall(r"`([^`]+)`", cells[2]),
            "message": cells[3],
        })
    return rows


ROWS = limit_rows()


def where_value(where: str) -> Any:
    if where.startswith("/"):
        node: Any = load_schema("snapshot.schema.json")
        for part in where.strip("/").split("/"):
            node = node[part]
        return node
    module, *names = where.split(".")
    node = MODULES[module]
    for name in names:
        node = getattr(node, name)
    return node


def test_the_table_lists_every_limit():
    """Every maxLength/maxItems of the schema and every loader bound has a row."""
    listed = {w for row in ROWS for w in row["where"]}
    schema = load_schema("snapshot.schema.json")
    in_schema = {p for p in _pointers(schema, "") if p.endswith(("/maxLength", "/maxItems"))}
    assert in_schema - listed == set(), "add these schema limits to the README's Limits table"
    constants = {f"snapshot_loader.{n}" for n in dir(snapshot_loader) if n.startswith("MAX_")}
    constants |= {f"snapshot_validator.{n}" for n in dir(snapshot_validator) if n.startswith("MAX_")}
    assert constants - listed == set(), "add these loader limits to the README's Limits table"


@pytest.mark.parametrize("row", ROWS, ids=[r["what"] for r in ROWS])
def test_each_value_in_the_table_is_the_one_in_force(row):
    """The README's value is the constant's or the schema's, at every place the row names."""
    assert row["where"], f"row {row['what']!r} names no constant or schema pointer"
    for where in row["where"]:
        assert where_value(where) == row["value"], f"{where}: README says {row['value']}"


def _pointers(node: Any, prefix: str) -> list[str]:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append(f"{prefix}/{key}")
            out.extend(_pointers(value, f"{prefix}/{key}"))
    return out


# --- the largest allowed input, and one more -----------------------------------------------------

def ready() -> dict[str, Any]:
    return json.loads((ROOT / "examples" / "ready.json").read_text(encoding="utf-8"))


def values_in(data: Any) -> int:
    if isinstance(data, dict):
        return 1 + sum(values_in(v) for v in data.values())
    if isinstance(data, list):
        return 1 + sum(values_in(v) for v in data)
    return 1


def admin(code: str) -> dict[str, Any]:
    return {"code": code, "accounting_system": "exact_online", "subadministration_of": None, "pending_authorisation": 1,
            "authorisation": {"before_booking": "none", "after_booking": "optional"}, "workflows": [],
            "payment_agreement": False, "users": [{"email": f"u@{code}.nl", "role": "client"}]}


def as_json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def padded_json(count: int) -> str:
    """The ready example plus an unknown field holding zeros, `count` values in all."""
    data = ready()
    data["padding"] = []
    data["padding"] = [0] * (count - values_in(data))
    return as_json(data)


def padded_yaml(count: int) -> str:
    data = ready()
    data["padding"] = []
    filler = count - values_in(data)
    data.pop("padding")
    return yaml.safe_dump(data, sort_keys=False) + "padding: [" + ",".join(["0"] * filler) + "]\n"


def size_at(size: int) -> str:
    text = as_json(ready())
    return text[:-1] + " " * (size - len(text.encode("utf-8"))) + "}"


def nested(levels: int) -> str:
    """Objects and lists nested `levels` deep in all (the snapshot itself is the first level)."""
    data = ready()
    deep: Any = []
    for _ in range(levels - 2):
        deep = [deep]
    data["deep"] = deep
    return as_json(data)


def aliases(count: int) -> str:
    return yaml.safe_dump(ready(), sort_keys=False) + "anchor: &a x\nuses: [" + ",".join(["*a"] * count) + "]\n"


def alias_values(per_alias: int) -> str:
    """1,000 aliases of a list of `per_alias - 1` items (each alias stands for `per_alias` values)."""
    items = ",".join(["0"] * (per_alias - 1))
    return (yaml.safe_dump(ready(), sort_keys=False)
            + f"anchor: &a [{items}]\nuses: [" + ",".join(["*a"] * 1000) + "]\n")


def digits(count: int) -> str:
    data = ready()
    data["administrations"][0]["pending_authorisation"] = 0
    return as_json(data).replace('"pending_authorisation":0', '"pending_authorisation":' + "9" * count, 1)


def source_administrations(count: int) -> str:
    data = ready()
    data["administrations"] = [admin(f"A{i}") for i in range(count)]
    data["migration"]["administrations"] = [{"code": "A0"}, {"code": "A1"}]
    return as_json(data)


def requested(count: int) -> str:
    data = ready()
    data["migration"]["administrations"] = [{"code": f"R{i}"} for i in range(count)]
    return as_json(data)


def target_list(name: str) -> Callable[[int], str]:
    def build(count: int) -> str:
        data = ready()
        data["target_office"]["package_administrations"] = [f"P{i}" for i in range(count)]
        data["target_office"]["administrations"] = [f"T{i}" for i in range(count)]
        if name == "package_administrations":
            data["target_office"]["administrations"] = data["target_office"]["administrations"][:10_000]
        else:
            data["target_office"]["package_administrations"] = data["target_office"]["package_administrations"][:10_000]
        return as_json(data)
    return build


def office_users(count: int) -> str:
    data = ready()
    data["source_office"]["users"] = [{"email": f"u{i}@x.nl", "role": "client"} for i in range(count)]
    data["target_office"]["users"] = [{"email": f"v{i}@x.nl", "role": "superuser"} for i in range(min(count, 20_000))]
    return as_json(data)


def administration_users(count: int) -> str:
    data = ready()
    data["administrations"][0]["users"] = [
        {"email": f"u{i}@x.nl", "role": "authoriser", "personal_archive": True} for i in range(count)
    ]
    return as_json(data)


def all_administration_users(count: int) -> str:
    """`count` users spread over administrations of at most 1,000 each, every one a finding."""
    data = ready()
    data["administrations"] = [admin(f"A{i}") for i in range(-(-count // 1000))]
    for i, item in enumerate(data["administrations"]):
        item["users"] = [{"email": f"u{j}@x.nl", "role": "client", "personal_archive": True}
                         for j in range(min(1000, count - 1000 * i))]
    data["migration"]["administrations"] = [{"code": a["code"]} for a in data["administrations"]]
    return as_json(data)


def workflows(count: int) -> str:
    data = ready()
    data["administrations"][0]["workflows"] = [{"name": f"W{i}", "authorisers": [f"a{j}@x.nl" for j in range(100)]}
                                               for i in range(count)]
    return as_json(data)


def authorisers(count: int) -> str:
    data = ready()
    data["administrations"][0]["workflows"] = [{"name": "W", "authorisers": [f"a{j}@x.nl" for j in range(count)]}] * 100
    return as_json(data)


def text_fields(setters: list[Callable[[dict[str, Any], int], None]]) -> Callable[[int], str]:
    """Every field of the row at `length` characters at once (the first one at the limit's +1 for "over")."""
    def build(length: int) -> str:
        data = ready()
        for setter in setters:
            setter(data, length)
        return as_json(data)
    return build


def _code(n: int, seed: str) -> str:
    return (seed * n)[:n]


def set_office_code(d: dict[str, Any], n: int) -> None:
    d["source_office"]["code"] = _code(n, "K")
    d["target_office"]["code"] = _code(min(n, 32), "L")


def set_codes(d: dict[str, Any], n: int) -> None:
    a = _code(n, "1001-")
    d["administrations"][0]["code"] = a
    d["administrations"][1]["subadministration_of"] = _code(min(n, 64), "S")
    d["migration"]["administrations"][0] = {"code": a, "new_code": _code(min(n, 64), "N")}
    d["target_office"]["package_administrations"].append(_code(min(n, 64), "P"))
    d["target_office"]["administrations"].append(_code(min(n, 64), "T"))


def set_packages(d: dict[str, Any], n: int) -> None:
    d["administrations"][0]["accounting_system"] = _code(n, "exact_online")
    d["target_office"]["accounting_link"] = _code(min(n, 64), "exact_online")


def set_names(d: dict[str, Any], n: int) -> None:
    d["source_office"]["name"] = _code(n, "Kantoor ")
    d["administrations"][0]["name"] = _code(min(n, 200), "Klant ")
    d["administrations"][0]["workflows"] = [{"name": _code(min(n, 200), "Inkoop "), "authorisers": []}]


def set_emails(d: dict[str, Any], n: int) -> None:
    d["requester"]["email"] = _code(n - 5, "k.devries") + "@x.nl"
    d["administrations"][0]["submission_email"] = _code(min(n, 254) - 5, "adv01.1001") + "@x.nl"
    d["administrations"][0]["workflows"] = [{"name": "W", "authorisers": [_code(min(n, 254) - 5, "a") + "@x.nl"]}]


def set_date_times(d: dict[str, Any], n: int) -> None:
    d["taken_at"] = "2026-11-27T09:30:00." + "0" * (n - 26) + "+01:00"
    d["migration"]["status"] = "code_sent"
    d["migration"]["transfer_code_sent_at"] = "2026-11-20T09:30:00." + "0" * (min(n, 64) - 26) + "+01:00"


def problems(count: int) -> str:
    data = ready()
    data["administrations"] = [dict(admin(f"A{i}"), pending_authorisation=-1) for i in range(count)]
    return as_json(data)


def notices(count: int) -> str:
    data = ready()
    for i in range(count):
        data[f"extra_{i:04}"] = i
    return as_json(data)


BUILDERS: dict[str, Callable[[int], str]] = {
    "snapshot_loader.MAX_SNAPSHOT_BYTES": size_at,
    "snapshot_loader.MAX_NODES": padded_json,
    "snapshot_loader.MAX_YAML_NODES": padded_yaml,
    "snapshot_loader.MAX_DEPTH": nested,
    "snapshot_loader.MAX_ALIASES": aliases,
    "snapshot_loader.MAX_ALIAS_NODES": lambda n: alias_values(n // 1000 + (n % 1000 > 0)),
    "snapshot_loader.MAX_NUMBER_DIGITS": digits,
    "/properties/administrations/maxItems": source_administrations,
    "/$defs/Migration/properties/administrations/maxItems": requested,
    "/$defs/TargetOffice/properties/package_administrations/maxItems": target_list("package_administrations"),
    "/$defs/TargetOffice/properties/administrations/maxItems": target_list("administrations"),
    "/$defs/Office/properties/users/maxItems": office_users,
    "/$defs/Administration/properties/users/maxItems": administration_users,
    "snapshot_validator.MAX_ADMINISTRATION_USERS": all_administration_users,
    "/$defs/Administration/properties/workflows/maxItems": workflows,
    "/$defs/Workflow/properties/authorisers/maxItems": authorisers,
    "/$defs/Office/properties/code/maxLength": text_fields([set_office_code]),
    "/$defs/Administration/properties/code/maxLength": text_fields([set_codes]),
    "/$defs/Administration/properties/accounting_system/maxLength": text_fields([set_packages]),
    "/$defs/Office/properties/name/maxLength": text_fields([set_names]),
    "/$defs/Person/properties/email/maxLength": text_fields([set_emails]),
    "/properties/taken_at/maxLength": text_fields([set_date_times]),
}
#: The alias-values limit is reached by 1,000 aliases of 20 values each; one more item each is "over".
OVER = {"snapshot_loader.MAX_ALIAS_NODES": lambda n: alias_values(n // 1000 + 1)}
INPUT_ROWS = [r for r in ROWS if r["where"][0] in BUILDERS]


def test_every_limit_of_the_input_has_a_test():
    """Each row but the two report caps is tried below."""
    # The report's caps are tried below; the body deadline by tests/web/test_web_body.py.
    untried = {r["what"] for r in ROWS if r["where"][0] not in BUILDERS} - {
        "problems listed in a report", "unknown-field notices", "findings listed in a report",
        "seconds a request body may take to arrive (web)",
    }
    assert untried == set()


@pytest.mark.parametrize("row", INPUT_ROWS, ids=[r["what"] for r in INPUT_ROWS])
@pytest.mark.parametrize("engine", ENGINES)
def test_the_largest_allowed_input_is_answered_and_one_more_is_refused(row, engine):
    """At the limit: ready or blocked on both engines. One over: invalid, with the README's message."""
    key, value = row["where"][0], row["value"]
    at_limit = BUILDERS[key](value)
    report = check(at_limit, engine=engine, lang="en")
    assert report.verdict in ("ready", "blocked"), report.errors[:3]
    over = OVER.get(key, BUILDERS[key])(value + 1)
    report = check(over, engine=engine, lang="en")
    assert report.verdict == "invalid"
    assert {e.message for e in report.errors} == {row["message"]}


def test_problems_are_listed_up_to_the_limit():
    """The report lists MAX_PROBLEMS problems; one more gives the table's last line instead."""
    (row,) = [r for r in ROWS if r["where"] == ["snapshot_validator.MAX_PROBLEMS"]]
    at_limit = check(problems(row["value"]), engine="python", lang="en")
    assert len(at_limit.errors) == row["value"]
    over = check(problems(row["value"] + 1), engine="python", lang="en")
    assert len(over.errors) == row["value"] + 1
    assert over.errors[-1].message == row["message"]


def test_notices_are_listed_up_to_the_limit():
    """MAX_NOTICES unknown fields give as many notices; one more gives the table's last line instead."""
    (row,) = [r for r in ROWS if r["where"] == ["snapshot_notices.MAX_NOTICES"]]
    at_limit = unknown_fields(json.loads(notices(row["value"])), "en")
    assert len(at_limit) == row["value"]
    over = unknown_fields(json.loads(notices(row["value"] + 1)), "en")
    assert [n.message for n in over[row["value"]:]] == [row["message"]]


def test_findings_are_listed_up_to_the_limit():
    """An office with the limit's number of findings lists them all; one more gives the table's
    line instead (in the text report), and the summary still counts it."""
    from preflight.renderers import render_text

    (row,) = [r for r in ROWS if r["where"] == ["report.MAX_LISTED_FINDINGS"]]
    for count, omitted in ((row["value"], 0), (row["value"] + 1, 1)):
        report = check(findings(count), engine="compiled", lang="en")
        assert (len(report.findings), report.omitted, sum(report.summary.values())) == (row["value"], omitted, count)
        assert (row["message"] in render_text(report)) == bool(omitted)


def findings(count: int) -> dict[str, Any]:
    """An office (audit) whose administrations have exactly ``count`` findings: one each."""
    base = json.loads((ROOT / "examples" / "audit-office.json").read_text(encoding="utf-8"))
    base["source_office"].pop("users", None)
    admin = {"name": "Klant", "accounting_system": "exact_online", "subadministration_of": None,
             "pending_authorisation": 1, "authorisation": {"before_booking": "none", "after_booking": "none"},
             "workflows": [], "payment_agreement": False, "users": []}
    base["administrations"] = [dict(admin, code=f"A{i:05}") for i in range(count)]
    return base


def test_at_every_text_limit_the_values_reach_the_report_whole():
    """Codes at 64 characters are carried into findings unshortened, on both engines."""
    text = BUILDERS["/$defs/Administration/properties/code/maxLength"](64)
    code = json.loads(text)["administrations"][0]["code"]
    for engine in available_engines():
        subjects = {f.subject for f in check(text, engine=engine).findings}
        assert f"administration:{code}" in subjects

