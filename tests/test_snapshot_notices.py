"""Unknown fields: reported as notices with the closest known name, never as errors."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.snapshot_notices import MAX_NOTICES, Notice, unknown_fields
from preflight.snapshot_validator import validate_snapshot

from .snapshot_strategies import snapshots


@pytest.fixture()
def ready(examples_dir):
    return json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["ready.json", "audit-office.json", "invalid.json"])
def test_the_examples_have_no_unknown_fields(examples_dir, name):
    """The shipped examples use only the contract's names."""
    assert unknown_fields(json.loads((examples_dir / name).read_text(encoding="utf-8"))) == []


def test_a_misspelt_optional_field_is_named_with_the_one_meant(ready):
    """`newcode` (meant `new_code`) is valid input, but the reader is told, in English or Dutch."""
    ready["migration"]["administrations"][2] = {"code": "1003", "newcode": "2003"}
    assert validate_snapshot(ready) == []
    assert unknown_fields(ready, "en") == [
        Notice("/migration/administrations/2/newcode", "unknown field 'newcode' is ignored; did you mean 'new_code'?")
    ]
    assert unknown_fields(ready) == [
        Notice("/migration/administrations/2/newcode", "onbekend veld 'newcode' wordt genegeerd; bedoel je 'new_code'?")
    ]


@pytest.mark.parametrize(
    ("where", "written", "meant"),
    [
        (("target_office",), "packageAdministrations", "package_administrations"),
        (("requester",), "Role", "role"),
        (("source_office",), "gebruikers", "users"),
        (("administrations", 0), "paymentagreement", "payment_agreement"),
        ((), "taken", "taken_at"),
    ],
)
def test_the_closest_known_name_is_suggested(ready, where, written, meant):
    """Case, separators, spelling and the Dutch name all lead to the contract's name."""
    parent = ready
    for part in where:
        parent = parent[part]
    parent[written] = parent.get(meant)
    (notice,) = unknown_fields(ready, "en")
    assert notice.message.endswith(f"did you mean '{meant}'?")
    assert notice.path == "".join(f"/{p}" for p in (*where, written))


def test_an_unrelated_name_gets_no_suggestion_and_its_contents_are_not_searched(ready):
    """A field of a newer exporter is named once; what it holds is not the contract's business."""
    ready["exporter"] = {"version": "9.9", "colour": {"deep": 1}}
    assert unknown_fields(ready, "en") == [Notice("/exporter", "unknown field 'exporter' is ignored")]


def test_the_same_unknown_name_in_many_places_is_one_notice(ready):
    """'colour' in every administration: one notice at the first, with the count of the others."""
    for admin in ready["administrations"]:
        admin["colour"] = "blue"
    (notice,) = unknown_fields(ready, "en")
    others = len(ready["administrations"]) - 1
    assert notice == Notice("/administrations/0/colour", f"unknown field 'colour' is ignored; also in {others} other place(s)")


def test_notices_are_bounded(ready):
    """Thousands of distinct unknown names give MAX_NOTICES notices and one saying there are more."""
    for i in range(MAX_NOTICES * 3):
        ready[f"extra_{i:05}"] = i
    notices = unknown_fields(ready, "en")
    assert len(notices) == MAX_NOTICES + 1
    assert notices[-1] == Notice("", f"and more unknown fields; only the first {MAX_NOTICES} are listed")


def test_a_very_long_unknown_name_is_shortened(ready):
    """A 10,000-character field name is quoted (and pointed at) shortened, not in full."""
    ready["x" * 10_000] = 1
    (notice,) = unknown_fields(ready, "en")
    assert len(notice.path) < 120 and len(notice.message) < 160


def test_data_that_is_not_a_snapshot_gives_no_notices():
    """Notices are about valid-shaped input; anything else is the validator's to report."""
    assert unknown_fields([1, 2]) == [] == unknown_fields("text") == unknown_fields({"administrations": "x"})


EXTRA_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@settings(max_examples=200)
@given(snapshots(), st.lists(st.tuples(st.integers(0, 10_000), EXTRA_NAMES), min_size=1, max_size=4))
def test_unknown_fields_never_make_a_valid_snapshot_invalid_and_are_always_reported(snapshot, extras):
    """Add unknown fields anywhere in a valid snapshot: still valid, and each one is reported."""
    objects = _objects(snapshot)
    changed = copy.deepcopy(snapshot)
    changed_objects = _objects(changed)
    added = set()
    for where, name in extras:
        index = where % len(objects)
        if name in objects[index] or name in changed_objects[index]:
            continue
        changed_objects[index][name] = "?"
        added.add(name)
    assert validate_snapshot(changed) == []
    reported = {n.message.split("'")[1] for n in unknown_fields(changed, "en")}
    assert reported == added


def _objects(value):
    """Every object of a snapshot that the contract describes (not inside unknown fields)."""
    out = []
    if isinstance(value, dict):
        out.append(value)
        for item in value.values():
            out.extend(_objects(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_objects(item))
    return out


def test_unicode_digits_in_names_are_names_not_indexes(ready):
    """'³' counts as a digit to str.isdigit() but is no list index: found by schemathesis (HTTP 500)."""
    ready["administrations"][0]["³"] = 1
    ready["source_office"]["²"] = {"x": 1}
    notices = unknown_fields(ready, "en")
    assert [n.path for n in notices] == ["/administrations/0/³", "/source_office/²"]
